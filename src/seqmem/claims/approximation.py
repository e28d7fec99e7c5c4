"""The claims of the paper's §4: approximation by linear RNNs."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seqmem.claims._format import evidence_text, listed
from seqmem.claims.thresholds import (
    DECISIVE_EVIDENCE,
    EXPONENTIAL_R2,
    EXPONENTIAL_SLOWEST_RATE,
    HANKEL_RTOL,
    INVERSE_DRIFT,
    JACKSON_EXPONENT_GAP,
    POWER_LAW_SHARE,
)
from seqmem.laws import compare_growth_laws
from seqmem.report import Claim

APPROXIMATION = "Approximation (paper §4)"


def universal_approximation(
    widths: Sequence[int], l1_errors: Sequence[float], *, kernel: str = "airy(t0=2)"
) -> Claim:
    """Best-fit errors of an exponential-type kernel fall exponentially in the width.

    Decisive: the log10 evidence of the exponential law e^{−cm} over the power law m^{−p}
    on the errors; it must be ≥ :data:`DECISIVE_EVIDENCE`, with c > 0 and r² ≥
    :data:`EXPONENTIAL_R2`.
    """
    keep = [(m, e) for m, e in zip(widths, l1_errors, strict=True) if e > 0]
    laws = compare_growth_laws(*zip(*keep, strict=True))
    rate = -laws.exponential.slope
    return Claim(
        "universal-approximation",
        "Linear RNNs approximate a smooth, exponentially decaying memory with an error that "
        "falls exponentially in the width m.",
        laws.log10_evidence,
        f"the L¹ errors of the best width-m fits of {kernel} follow e^{{−cm}} (c > 0, r² ≥ "
        f"{EXPONENTIAL_R2}) decisively better than m^{{−p}}: log10 evidence ≥ "
        f"{DECISIVE_EVIDENCE:g}",
        laws.log10_evidence >= DECISIVE_EVIDENCE
        and rate > 0
        and laws.exponential.r2 >= EXPONENTIAL_R2,
        APPROXIMATION,
        f"Exact L¹ errors {listed(l1_errors)} at widths {list(widths)}; c = {rate:.3g}. "
        + evidence_text(laws, "m")
        + ".",
        {"kernel": kernel, "widths": list(widths)},
        "error_vs_width.png",
    )


def jackson_rate(
    alphas: Sequence[int],
    measured_exponents: Sequence[float],
    expected_exponents: Sequence[float],
    *,
    widths: Sequence[int] = (),
) -> Claim:
    """Jackson's construction converges like m^{−(α+3/2)} in L¹: faster for smoother kernels.

    Decisive: the largest |measured − expected| exponent, ≤ :data:`JACKSON_EXPONENT_GAP`,
    with the exponents increasing in α.
    """
    gap = float(np.max(np.abs(np.subtract(measured_exponents, expected_exponents))))
    return Claim(
        "jackson-rate",
        "The smoother the memory kernel (α derivatives after the change of variable "
        "u = e^{−βt}), the faster the constructive (Jackson) approximation converges.",
        gap,
        f"every measured exponent within {JACKSON_EXPONENT_GAP} of α + 3/2 (L¹ error ~ "
        "m^{−(α+3/2)}) and the exponents increasing with α; measured: the largest gap",
        bool(gap <= JACKSON_EXPONENT_GAP and np.all(np.diff(measured_exponents) > 0)),
        APPROXIMATION,
        f"Exponents {listed(measured_exponents)} for α = {list(alphas)} (expected "
        f"{listed(expected_exponents)}).",
        {"alphas": list(alphas), "widths": list(widths)},
        "jackson_rates.png",
    )


def jackson_bound(
    errors: Sequence[Sequence[float]],
    bounds: Sequence[Sequence[float]],
    *,
    alphas: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> Claim:
    """The Jackson-type bound C(α)γ/(βm^α) holds: decisive, the largest error/bound ≤ 1."""
    ratio = float(np.max(np.divide(errors, bounds)))
    return Claim(
        "jackson-bound",
        "The Jackson-type bound C(α)γ/(βm^α) of the approximation theorem holds.",
        ratio,
        "error / bound ≤ 1 for every α and m (a theorem: no slack)",
        ratio <= 1.0,
        APPROXIMATION,
        "Construction with rate spacing β/(α+1), for which the bound is proved; measured is "
        "the largest ratio of the error to the bound.",
        {"alphas": list(alphas), "widths": list(widths)},
        "jackson_rates.png",
    )


def curse_of_memory_width(
    omegas: Sequence[float],
    jackson_widths: Sequence[int | None],
    best_fit_widths: Sequence[float | None],
    *,
    eps: float,
) -> Claim:
    """The width truncation + Jackson need for relative L¹ error ε grows exponentially in
    the memory 1/ω of ρ = (1 + t)^{−(1+ω)}.

    Decisive: the log10 evidence of log m linear in 1/ω over log m linear in log(1/ω) on
    the Jackson widths, ≥ :data:`DECISIVE_EVIDENCE`, with a positive slope (the argument
    predicts ≈ ln(2/ε)/2 up to a log factor). The best fits' widths are fitted by both laws
    too and reported: they are not part of the paper's statement.
    """
    memory = [1.0 / w for w, m in zip(omegas, jackson_widths, strict=True) if m is not None]
    widths = [m for m in jackson_widths if m is not None]
    enough = len(widths) == len(omegas) and len(widths) >= 4
    laws = compare_growth_laws(memory, widths) if enough else None
    evidence = laws.log10_evidence if laws else math.nan
    fitted = [(1.0 / w, m) for w, m in zip(omegas, best_fit_widths, strict=True) if m]
    best = compare_growth_laws(*zip(*fitted, strict=True)) if len(fitted) >= 4 else None
    return Claim(
        "curse-of-memory-width",
        "The curse of memory: to reach a given accuracy, the width of the truncated Jackson "
        "approximant grows exponentially in the memory 1/ω of a power law ρ ~ t^{−(1+ω)}.",
        evidence,
        f"log(width for relative L¹ error {eps:g}) linear in 1/ω with a positive slope, "
        f"decisively better than a power of 1/ω: log10 evidence ≥ {DECISIVE_EVIDENCE:g}",
        bool(laws and evidence >= DECISIVE_EVIDENCE and laws.exponential.slope > 0),
        APPROXIMATION,
        f"Truncation + Jackson widths {list(jackson_widths)} for ω = {list(omegas)}"
        + ("" if laws is None else "; " + evidence_text(laws, "1/ω"))
        + f" (the argument's slope ln(2/ε)/2 = {math.log(2 / eps) / 2:.3g}).\n\n"
        f"Best fits need far fewer units: {listed(best_fit_widths)} (fractional width where "
        "the log error crosses ε)"
        + (
            ""
            if best is None
            else "; "
            + evidence_text(best, "1/ω")
            + ": the optimal width grows "
            + ("exponentially" if best.log10_evidence > 0 else "like a power of the memory")
        )
        + ".",
        {"omegas": list(omegas), "eps": eps},
        "width_needed.png",
    )


def power_law_slower(power_exponent: float, exponential_exponent: float) -> Claim:
    """Power-law memory is approximated more slowly: decisive, the ratio of error-decay
    exponents (powerlaw(ω = ½) over airy), < :data:`POWER_LAW_SHARE`."""
    ratio = power_exponent / exponential_exponent
    return Claim(
        "power-law-slower",
        "Power-law memory is approximated far more slowly than exponential-type memory.",
        ratio,
        f"the decay exponent of the power-law errors below {POWER_LAW_SHARE} of airy(t0=2)'s",
        bool(ratio < POWER_LAW_SHARE),
        APPROXIMATION,
        f"Error-decay exponents {power_exponent:.3f} (powerlaw ω = 0.5) and "
        f"{exponential_exponent:.3f} (airy).",
        {"kernels": ["powerlaw(omega=0.5)", "airy(t0=2)"]},
        "error_vs_width.png",
    )


def inverse_theorem(
    power_slowest: Sequence[float], exponential_slowest: Sequence[float], *, widths: Sequence[int]
) -> Claim:
    """The slowest rate of good approximants of power-law memory drifts to 0 as m grows.

    Decisive: that rate at the largest width over its value at m = 1, ≤
    :data:`INVERSE_DRIFT`, while airy's fits keep rates ≥ :data:`EXPONENTIAL_SLOWEST_RATE`
    beyond m = 1.
    """
    drift = power_slowest[-1] / power_slowest[0]
    floor = min(exponential_slowest[1:])
    return Claim(
        "inverse-theorem",
        "Inverse theorem: if a target is approximated efficiently, its memory decays "
        "exponentially; for power-law targets the slowest rate of good approximants "
        "drifts to 0 as m grows.",
        drift,
        f"slowest rate at the largest width ≤ {INVERSE_DRIFT} × its value at m = 1 for "
        f"powerlaw(ω = ½), while airy(t0=2)'s stays ≥ {EXPONENTIAL_SLOWEST_RATE} beyond m = 1",
        bool(drift <= INVERSE_DRIFT and floor >= EXPONENTIAL_SLOWEST_RATE),
        APPROXIMATION,
        f"Slowest significant decay rate of the best fits: {listed(power_slowest)} (power "
        f"law) and {listed(exponential_slowest)} (airy) at widths {list(widths)}.",
        {"widths": list(widths)},
        "slowest_rate.png",
    )


def hankel_floor(
    errors: Sequence[float],
    floors: Sequence[float],
    scales: Sequence[float],
    *,
    kernels: Sequence[str] = (),
) -> Claim:
    """No width-m model beats σ_{m+1}.

    ``scales`` is σ₁ of each fit's kernel: σ_{m+1} is known to :data:`HANKEL_RTOL` × σ₁, so
    only the fits with σ_{m+1} above that are compared (below it σ_{m+1} is zero to its
    accuracy and bounds nothing). Decisive: the smallest error/σ_{m+1} over them; every
    error must be ≥ σ_{m+1} − :data:`HANKEL_RTOL` × σ₁, and at least one fit compared.
    """
    pairs = [
        (e, s, HANKEL_RTOL * first)
        for e, s, first in zip(errors, floors, scales, strict=True)
        if s > HANKEL_RTOL * first
    ]
    margin = min(e / s for e, s, _ in pairs) if pairs else math.nan
    return Claim(
        "hankel-floor",
        "No width-m linear RNN approximates a kernel better than its (m+1)-th Hankel "
        "singular value σ_{m+1}.",
        margin,
        f"every L¹ error ≥ σ_{{m+1}} − {HANKEL_RTOL:g}σ₁ (the accuracy of σ); measured: the "
        "smallest error / σ_{m+1} over the fits where σ_{m+1} is resolved",
        bool(pairs and all(e >= s - tolerance for e, s, tolerance in pairs)),
        APPROXIMATION,
        f"{len(pairs)} of {len(errors)} best fits have σ_{{m+1}} above its accuracy "
        f"{HANKEL_RTOL:g}σ₁ and are compared (Hankel singular values by quadrature for "
        "completely monotone kernels, else the averaged Hankel matrix).",
        {"kernels": list(kernels)},
        "error_vs_width.png",
    )
