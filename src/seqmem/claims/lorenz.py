"""The claims about the nonlinear Lorenz-96 target (paper §5, our choice)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seqmem.claims._format import listed
from seqmem.claims.thresholds import (
    CENTROID_R2,
    NONLINEAR_SHARE,
    STALL_FACTOR,
)
from seqmem.laws import line_fit
from seqmem.report import Claim

LORENZ = "The nonlinear Lorenz-96 target (paper §5, our choice)"


def lorenz_memory(read_outs: Sequence[int], centroids: Sequence[float], **params) -> Claim:
    """The memory of the site-j output grows linearly in j: decisive, the slope of the
    centroid against j (> 0, with r² ≥ :data:`CENTROID_R2`)."""
    fit = line_fit(read_outs, centroids)
    return Claim(
        "lorenz-memory",
        "The Lorenz-96 output read at site j is a fading-memory functional of the input "
        "whose memory grows linearly with j (a wave packet travelling round the ring).",
        fit.slope,
        f"the memory centroid of the linear response rises linearly in j: slope > 0, "
        f"r² ≥ {CENTROID_R2} (docs/mathematics.md §4.8: ≈ 1.5 at j = 2, ≈ 14.6 at j = 24)",
        bool(fit.slope > 0 and fit.r2 >= CENTROID_R2),
        LORENZ,
        f"Centroids {listed(centroids)} at j = {list(read_outs)}; r² = {fit.r2:.4f}.",
        {**params, "read_out": list(read_outs)},
        "lorenz.png",
    )


def lorenz_nonlinear(read_outs: Sequence[int], unexplained: Sequence[float], **params) -> Claim:
    """The target is nonlinear: decisive, the mean share of the output variance its linear
    response misses, every site's in :data:`NONLINEAR_SHARE`."""
    low, high = NONLINEAR_SHARE
    return Claim(
        "lorenz-nonlinear",
        "The target is genuinely nonlinear: its linear response misses a part of the "
        "output (docs/mathematics.md §4.8: 7–11 % of the variance at σ = 0.5).",
        float(np.mean(unexplained)),
        f"the linear response leaves between {low:.0%} and {high:.0%} of the output "
        "variance at every j; measured: the mean share",
        bool(all(low <= v <= high for v in unexplained)),
        LORENZ,
        f"Unexplained share {listed(unexplained)} at j = {list(read_outs)} (1 − corr² of the "
        "output and the exact linear response on the data).",
        {**params, "read_out": list(read_outs)},
        "lorenz.png",
    )


def lorenz_stall(
    model: str,
    width: int,
    read_outs: Sequence[int],
    final_losses: Sequence[float],
    reachable_losses: Sequence[float],
    escaped: Sequence[bool],
    **params,
) -> Claim:
    """A width-m RNN trained by Adam stalls far above what it can reach once the memory is
    long.

    ``reachable_losses`` are the losses, on the same data, of a width-m real linear model
    that the run could have reached (the best L² fit of the site's linear response,
    scaled by least squares). Decisive: final/reachable at the largest j, ≥
    :data:`STALL_FACTOR`, and larger than at the smallest j.
    """
    ratios = np.divide(final_losses, reachable_losses)
    seen = [j for j, e in zip(read_outs, escaped, strict=True) if e]
    return Claim(
        f"lorenz-{model}-stall",
        f"A width-{width} {model} RNN trained by Adam stalls far above the loss a model of "
        "its width reaches, the more so the longer the memory j (the paper: no plateau at "
        "small j, plateaus that lengthen with j).",
        float(ratios[-1]),
        f"final loss / reachable loss ≥ {STALL_FACTOR} at the largest j and larger than at "
        "the smallest j; measured: that ratio at the largest j",
        bool(len(read_outs) >= 2 and ratios[-1] >= STALL_FACTOR and ratios[-1] > ratios[0]),
        LORENZ,
        f"Final losses {listed(final_losses)} against reachable {listed(reachable_losses)} "
        f"at j = {list(read_outs)} (ratios {listed(ratios)}); a plateau followed by an escape "
        + (f"was seen at j = {seen}." if seen else "was seen at no j within the steps."),
        {**params, "read_out": list(read_outs), "model": model},
        "lorenz.png",
    )
