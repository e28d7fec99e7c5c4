"""The claims of the paper's §5 about plateaus: their level, length, mechanism and optimisers,
and their growth on sampled data."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seqmem.claims._format import evidence_text, listed
from seqmem.claims.thresholds import (
    ADAM_SLOPE_SHARE,
    DECISIVE_EVIDENCE,
    ESCAPE_RATE_RANGE,
    FLOW_TIME_RTOL,
    MECHANISM_RTOL,
    MIN_SEEDS,
    NO_PLATEAU_DROP,
    PLATEAU_LEVEL_ATOL,
    PLATEAU_R2,
    SIGNIFICANCE_Z,
)
from seqmem.laws import compare_growth_laws, line_fit
from seqmem.report import Claim

OPTIMISATION = "Optimisation (paper §5)"
SAMPLED = "Training on sampled data (paper §5)"


def no_plateau(plateaus: int, start_loss: float, final_loss: float, *, kernel: str) -> Claim:
    """A representable target trains without a plateau: decisive, the number of plateaus
    (0), with the loss falling by ≥ 1/:data:`NO_PLATEAU_DROP`."""
    drop = final_loss / start_loss
    return Claim(
        "no-plateau",
        "A target the model can represent with short memory (an exponential sum) trains "
        "without a plateau.",
        float(plateaus),
        f"no plateau followed by an escape, and the loss falls by ≥ {1 / NO_PLATEAU_DROP:.0e}",
        bool(plateaus == 0 and drop <= NO_PLATEAU_DROP),
        OPTIMISATION,
        f"Gradient flow on {kernel}, width 4, to τ = 10⁶; loss ratio end/start {drop:.2e}.",
        {"kernel": kernel, "width": 4},
        "no_plateau.png",
    )


def _largest_gap_from_one(values: Sequence[float | None]) -> tuple[list[float], float]:
    """The values measured (None dropped) and their largest |v − 1| (NaN if none)."""
    found = [v for v in values if v is not None]
    return found, float(np.max(np.abs(np.subtract(found, 1.0)))) if found else math.nan


def plateau_level(memories: Sequence[float], levels: Sequence[float | None], **params) -> Claim:
    """Plateaus sit at J ≈ ‖ρ₀‖² = 1 whatever t₀: decisive, the largest |level − 1|, ≤
    :data:`PLATEAU_LEVEL_ATOL`, every run having a plateau."""
    found, worst = _largest_gap_from_one(levels)
    return Claim(
        "plateau-level",
        "Training stalls on a plateau at J ≈ ‖ρ₀‖² (the memory part's energy), whatever "
        "the memory t₀.",
        worst,
        f"every plateau level within {PLATEAU_LEVEL_ATOL} of 1 (the unit-energy gamma bump)",
        bool(len(found) == len(memories) and worst <= PLATEAU_LEVEL_ATOL),
        OPTIMISATION,
        f"Plateau levels {listed(levels)} under gradient flow for t₀ = {list(memories)}.",
        {**params, "memories": list(memories)},
        "plateau_curves_flow.png",
    )


def plateau_exponential(
    memories: Sequence[float], lengths: Sequence[float | None], **params
) -> Claim:
    """Plateau length grows exponentially with t₀, not as a power of it.

    Decisive: the log10 evidence of log L linear in t₀ over log L linear in log t₀, ≥
    :data:`DECISIVE_EVIDENCE`, with a positive slope and r² ≥ :data:`PLATEAU_R2`; every run
    must escape.
    """
    found = [(t0, v) for t0, v in zip(memories, lengths, strict=True) if v is not None]
    laws = compare_growth_laws(*zip(*found, strict=True)) if len(found) >= 4 else None
    evidence = laws.log10_evidence if laws else math.nan
    return Claim(
        "plateau-exponential",
        "The curse of memory in optimisation: the plateau length grows exponentially "
        "with the memory t₀.",
        evidence,
        f"log(plateau length) linear in t₀ (slope > 0, r² ≥ {PLATEAU_R2}) decisively better "
        f"than linear in log t₀: log10 evidence ≥ {DECISIVE_EVIDENCE:g} (gradient flow)",
        bool(
            laws
            and len(found) == len(memories)
            and evidence >= DECISIVE_EVIDENCE
            and laws.exponential.slope > 0
            and laws.exponential.r2 >= PLATEAU_R2
        ),
        OPTIMISATION,
        f"Flow times to escape (J < 0.8 × plateau level): {listed(lengths)} for t₀ = "
        f"{list(memories)}" + ("" if laws is None else "; " + evidence_text(laws, "t₀")) + ".",
        {**params, "memories": list(memories)},
        "plateau_lengths.png",
    )


def plateau_mechanism(measured_slope: float, predicted_slope: float, **params) -> Claim:
    """The slope of log length is ln(1 + w̄): decisive, measured/predicted, within
    1 ± :data:`MECHANISM_RTOL`."""
    agreement = measured_slope / predicted_slope
    return Claim(
        "plateau-mechanism",
        "The escape is slow because the force on a mode with rate w is ∝ ℒρ₀(w) ∝ "
        "(1 + w)^{−t₀}: the slope is ln(1 + w̄) for the rates w̄ on the plateau.",
        agreement,
        f"measured slope / ln(1 + w̄) within 1 ± {MECHANISM_RTOL}",
        bool(abs(agreement - 1.0) <= MECHANISM_RTOL),
        OPTIMISATION,
        f"Measured slope {measured_slope:.3f}; w̄ = mean smallest rate mid-plateau; "
        f"ln(1 + w̄) = {predicted_slope:.3f}.",
        params,
        "plateau_lengths.png",
    )


def gd_flow_time(
    memories: Sequence[float], ratios: Sequence[float | None], *, learning_rate: float, **params
) -> Claim:
    """Plain gradient descent with step η lasts the flow time / η on every plateau:
    decisive, the largest |steps·η / flow time − 1|, ≤ :data:`FLOW_TIME_RTOL`."""
    found, worst = _largest_gap_from_one(ratios)
    return Claim(
        "gd-flow-time",
        "With a fixed step, plain gradient descent reproduces the gradient flow: its "
        "plateau lasts the flow time divided by the step.",
        worst,
        f"steps × η within {FLOW_TIME_RTOL:.0%} of the flow time at every memory",
        bool(len(found) == len(memories) and worst <= FLOW_TIME_RTOL),
        OPTIMISATION,
        f"Step η = {learning_rate:g}; ratios steps·η / flow time {listed(ratios)} for t₀ = "
        f"{list(memories)}.",
        {**params, "learning_rate": learning_rate, "memories": list(memories)},
        "plateau_lengths.png",
    )


def momentum_flow_time(
    memories: Sequence[float], ratios: Sequence[float | None], *, learning_rate: float, **params
) -> Claim:
    """Heavy-ball momentum (β = 0.9) moves at its steady-state step η/(1 − β): its plateau
    lasts the flow time / that step, up to a start-up lag of a fixed number of steps.

    Decisive: |steps·η/(1−β) / flow time − 1| at the longest memory (where a fixed lag
    weighs least), ≤ :data:`FLOW_TIME_RTOL`, the gap shrinking from the shortest memory to
    the longest (a lag, not a different speed: a different speed gives the same relative
    gap at every memory).
    """
    found = [r for r in ratios if r is not None]
    gaps = np.abs(np.subtract(found, 1.0))
    last = float(gaps[-1]) if found else math.nan
    return Claim(
        "momentum-flow-time",
        "With a fixed step, heavy-ball momentum reproduces the gradient flow at its "
        "steady-state step η/(1 − β): its plateau lasts the flow time divided by that step, "
        "up to a start-up lag.",
        last,
        f"steps × η/(1 − β) within {FLOW_TIME_RTOL:.0%} of the flow time at the longest "
        "memory, the relative gap shrinking as the memory grows",
        bool(
            len(found) == len(memories)
            and len(found) >= 2
            and last <= FLOW_TIME_RTOL
            and gaps[-1] < gaps[0]
        ),
        OPTIMISATION,
        f"Step η = {learning_rate:g}, β = 0.9; ratios {listed(ratios)} for t₀ = {list(memories)}.",
        {**params, "learning_rate": learning_rate, "memories": list(memories)},
        "plateau_lengths.png",
    )


def adam_smaller_exponent(
    memories: Sequence[float],
    lengths: Sequence[float | None],
    flow_slope: float,
    *,
    learning_rate: float,
    **params,
) -> Claim:
    """Adam keeps the exponential growth with a smaller exponent.

    Decisive: Adam's log-length slope over the flow's, in (0, :data:`ADAM_SLOPE_SHARE`),
    fitted to at least three runs with a plateau, their lengths increasing in t₀; a run
    without a detectable plateau may only precede them (at short memory Adam escapes before
    the first records can show a plateau).
    """
    found = [(t0, v) for t0, v in zip(memories, lengths, strict=True) if v is not None]
    missing = [t0 for t0, v in zip(memories, lengths, strict=True) if v is None]
    enough = len(found) >= 3 and all(t0 < found[0][0] for t0 in missing)
    slope = math.nan
    if enough:
        slope = line_fit([t0 for t0, _ in found], np.log([v for _, v in found])).slope
    ratio = slope / flow_slope
    increasing = enough and bool(np.all(np.diff([v for _, v in found]) > 0))
    return Claim(
        "adam-smaller-exponent",
        "Adam keeps the exponential ordering of plateau lengths, with a much smaller "
        "exponent (its normalisation amplifies small gradients).",
        ratio,
        f"Adam's log-length slope between 0 and {ADAM_SLOPE_SHARE} × the flow's, lengths "
        "increasing in t₀ (three runs with a plateau at least; runs without one only at "
        "the shortest memories)",
        bool(increasing and 0 < ratio < ADAM_SLOPE_SHARE),
        OPTIMISATION,
        f"Adam (η = {learning_rate:g}) plateau lengths in steps: {listed(lengths)} for "
        f"t₀ = {list(memories)}; slope {slope:.3g} against the flow's {flow_slope:.3g}.",
        {**params, "learning_rate": learning_rate, "memories": list(memories)},
        "plateau_lengths.png",
    )


def escape_rate(memories: Sequence[float], rates: Sequence[float | None], **params) -> Claim:
    """At the escape one rate comes down to about 1/(2t₀ + 1): decisive, rate × (2t₀ + 1) at
    the longest memory, every value in :data:`ESCAPE_RATE_RANGE`, falling towards 1."""
    scaled = [
        None if rate is None else rate * (2 * t0 + 1)
        for t0, rate in zip(memories, rates, strict=True)
    ]
    found = [v for v in scaled if v is not None]
    low, high = ESCAPE_RATE_RANGE
    return Claim(
        "escape-rate",
        "At the escape one decay rate moves down to O(1/t₀), towards the best single-mode "
        "rate 1/(2t₀ + 1) of the memory part.",
        found[-1] if found else math.nan,
        f"smallest rate at escape × (2t₀ + 1) in [{low:g}, {high:g}] for every t₀, and "
        "closest to 1 at the longest memory",
        bool(
            len(found) == len(memories)
            and all(low <= v <= high for v in found)
            and found[-1] <= found[0]
        ),
        OPTIMISATION,
        f"Rate × (2t₀+1): {listed(scaled)} for t₀ = {list(memories)}.",
        {**params, "memories": list(memories)},
        "escape_mechanism.png",
    )


def sampled_growth(
    model: str,
    memories: Sequence[float],
    lengths: Sequence[float | None],
    *,
    budget: float,
    seeds: int,
    **params,
) -> Claim:
    """On sampled data the plateau also lengthens with t₀, over several seeds.

    ``memories`` and ``lengths`` hold one entry per run (several seeds per memory); a run
    that never escaped counts as the budget (a lower bound on its length, so the slope is
    if anything underestimated). Decisive: the slope of log length against t₀ in units of
    its standard error, ≥ :data:`SIGNIFICANCE_Z`, with ≥ :data:`MIN_SEEDS` seeds.
    """
    censored = [budget if v is None else v for v in lengths]
    fit = line_fit(memories, np.log(censored)) if len(set(memories)) >= 2 else None
    z = fit.slope / fit.slope_stderr if fit and fit.slope_stderr > 0 else math.nan
    if fit and fit.slope_stderr == 0:
        z = math.copysign(math.inf, fit.slope) if fit.slope else math.nan
    shown = z if math.isfinite(z) else math.nan
    return Claim(
        f"sampled-{model}",
        f"With sampled white-noise data and Adam, a {model} RNN also stalls longer as the "
        "memory grows.",
        shown,
        f"log(plateau length) rises with t₀ by ≥ {SIGNIFICANCE_Z:g} standard errors over "
        f"{MIN_SEEDS}+ seeds per memory (a run that never escapes counts as the budget); "
        "measured: slope / standard error",
        bool(seeds >= MIN_SEEDS and fit is not None and z >= SIGNIFICANCE_Z),
        SAMPLED,
        f"Plateau lengths in Adam steps, {seeds} seeds per memory: "
        + "; ".join(
            f"t₀ = {t0:g}: "
            + ", ".join(
                "no escape" if v is None else f"{v:.4g}"
                for m, v in zip(memories, lengths, strict=True)
                if m == t0
            )
            for t0 in sorted(set(memories))
        )
        + (
            ""
            if fit is None
            else f". Slope {fit.slope:.3g} ± {fit.slope_stderr:.2g} per unit t₀ (budget "
            f"{budget:g} steps)."
        ),
        {**params, "model": model, "seeds": seeds},
        f"sampled_{model}.png",
    )
