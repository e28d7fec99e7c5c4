"""The paper's claims as verdicts: pure functions from measurements to a :class:`Claim`.

Each claim of ICLR 2021 (Li, Han, E, Li) §4–5, as docs/mathematics.md §5 states it, is one
function here. It takes the numbers an experiment measured (plain sequences, nothing
computed again), and returns the statement, the **decisive number** (the one the verdict
turns on), the rule it is held to and the verdict. Nothing here draws or reads files:
:func:`paper_claims` picks the measurements out of the experiments' data and calls every
verdict; :mod:`seqmem.figures` draws the figures the claims name.

Every threshold is a named constant below with its reason. Where a unit test checks the
same quantity, the claim's threshold is that test's, never looser. Laws ("grows
exponentially") are decided by weighing the law against its alternative on the same points
(:func:`seqmem.laws.compare_growth_laws`), not by a good r² alone, which both laws reach on a
short range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from seqmem.laws import compare_growth_laws, line_fit
from seqmem.report import Claim

APPROXIMATION = "Approximation (paper §4)"
OPTIMISATION = "Optimisation (paper §5)"
SAMPLED = "Training on sampled data (paper §5)"
LORENZ = "The nonlinear Lorenz-96 target (paper §5, our choice)"

# ---- thresholds -------------------------------------------------------------------------

#: log10 of the likelihood ratio that decides between two two-parameter laws: a factor of
#: 100, "decisive" on Jeffreys' scale (seqmem.laws).
DECISIVE_EVIDENCE = 2.0
#: r² of the exponential error law of exponential-type memory (the unit test's, airy(t0=2)).
EXPONENTIAL_R2 = 0.98
#: the power-law kernel's error exponent below this share of airy's (the unit test: airy's
#: exponent exceeds twice powerlaw(ω = 2)'s, a fortiori ω = ½'s).
POWER_LAW_SHARE = 0.5
#: |measured − (α + 3/2)| for Jackson's exponents (the unit test's tolerance, widths 16–64).
JACKSON_EXPONENT_GAP = 0.15
#: the slowest rate of power-law fits at the largest width, as a share of m = 1's (the
#: unit test's, powerlaw(ω = ½)).
INVERSE_DRIFT = 0.05
#: the slowest rate that fits of exponential-type memory keep beyond m = 1 (the unit test's,
#: airy(t0=2), whose own rates are O(1)).
EXPONENTIAL_SLOWEST_RATE = 0.5
#: accuracy of a Hankel singular value relative to σ₁ (the matrix route's refinement
#: target; the quadrature and Gramian routes do better): an error below σ_{m+1} − this × σ₁
#: contradicts the floor.
HANKEL_RTOL = 1e-6
#: the loss ratio end/start of a representable target (the unit test's).
NO_PLATEAU_DROP = 1e-6
#: |plateau level − ‖ρ₀‖²| with ‖ρ₀‖² = 1 (the unit test's).
PLATEAU_LEVEL_ATOL = 0.01
#: r² of log(plateau length) against t₀ (the unit test's).
PLATEAU_R2 = 0.95
#: |measured slope / ln(1 + w̄) − 1| (the unit test's, rel = 0.2).
MECHANISM_RTOL = 0.2
#: |steps × step size / flow time − 1| (the unit test's, plain gradient descent).
FLOW_TIME_RTOL = 0.05
#: Adam's log-length slope below this share of the flow's (the unit test's).
ADAM_SLOPE_SHARE = 0.8
#: rate at escape × (2t₀ + 1) (the unit test's range).
ESCAPE_RATE_RANGE = (1.0, 1.6)
#: a run ends on the approximation floor when its loss is within this factor of the best
#: width-m loss (the definition the stall labels use, and the unit test's).
FLOOR_FACTOR = 1.5
#: the best width-m loss is a floor, not a rounding residue, above this share of ‖ρ‖² (the
#: unit test's, far Gaussian bump).
FLOOR_SHARE = 0.1
#: a run has learned when it removed at least half of the loss a width-m model can remove
#: ((J_end − J_best)/(J_start − J_best) below this): it is closer to the best fit than to
#: where it started.
UNLEARNED_SHARE = 0.5
#: standard errors by which a slope must exceed 0 (one-sided 97.7 % for Gaussian errors).
SIGNIFICANCE_Z = 2.0
#: sampled-data claims need this many seeds per memory, for a scatter to measure.
MIN_SEEDS = 3
#: r² of the memory centroid's straight line in j (the exact closed form is ≈ 0.6j + 0.3).
CENTROID_R2 = 0.98
#: the linear response's unexplained share of the output variance at σ = 0.5: measured
#: 7–11 % (docs/mathematics.md §4.8), this range leaves a margin of ~2× on each side
#: (a linear target gives 0, a target without linear part 1).
NONLINEAR_SHARE = (0.03, 0.2)
#: a Lorenz run stalls when its final loss exceeds the loss a width-m model reaches by this
#: factor (the floor factor: within it the run is on the floor, not stalled).
STALL_FACTOR = FLOOR_FACTOR


def _evidence_text(comparison, x_name: str) -> str:
    return (
        f"exponential law: slope {comparison.exponential.slope:.3g} per unit {x_name}, "
        f"r² = {comparison.exponential.r2:.4f}; power law: exponent "
        f"{comparison.power.slope:.3g}, r² = {comparison.power.r2:.4f}; log10 evidence for "
        f"the exponential law {comparison.log10_evidence:.3g}"
    )


def _numbers(values: Sequence[float]) -> str:
    return ", ".join("—" if v is None or not math.isfinite(v) else f"{v:.4g}" for v in values)


# ---- approximation (paper §4) ------------------------------------------------------------


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
        f"Exact L¹ errors {_numbers(l1_errors)} at widths {list(widths)}; c = {rate:.3g}. "
        + _evidence_text(laws, "m")
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
        f"Exponents {_numbers(measured_exponents)} for α = {list(alphas)} (expected "
        f"{_numbers(expected_exponents)}).",
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
        + ("" if laws is None else "; " + _evidence_text(laws, "1/ω"))
        + f" (the argument's slope ln(2/ε)/2 = {math.log(2 / eps) / 2:.3g}).\n\n"
        f"Best fits need far fewer units: {_numbers(best_fit_widths)} (fractional width where "
        "the log error crosses ε)"
        + (
            ""
            if best is None
            else "; "
            + _evidence_text(best, "1/ω")
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
        f"Slowest significant decay rate of the best fits: {_numbers(power_slowest)} (power "
        f"law) and {_numbers(exponential_slowest)} (airy) at widths {list(widths)}.",
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


# ---- optimisation (paper §5) -------------------------------------------------------------


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


def plateau_level(memories: Sequence[float], levels: Sequence[float | None], **params) -> Claim:
    """Plateaus sit at J ≈ ‖ρ₀‖² = 1 whatever t₀: decisive, the largest |level − 1|, ≤
    :data:`PLATEAU_LEVEL_ATOL`, every run having a plateau."""
    found = [v for v in levels if v is not None]
    worst = float(np.max(np.abs(np.subtract(found, 1.0)))) if found else math.nan
    return Claim(
        "plateau-level",
        "Training stalls on a plateau at J ≈ ‖ρ₀‖² (the memory part's energy), whatever "
        "the memory t₀.",
        worst,
        f"every plateau level within {PLATEAU_LEVEL_ATOL} of 1 (the unit-energy gamma bump)",
        bool(len(found) == len(memories) and worst <= PLATEAU_LEVEL_ATOL),
        OPTIMISATION,
        f"Plateau levels {_numbers(levels)} under gradient flow for t₀ = {list(memories)}.",
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
        f"Flow times to escape (J < 0.8 × plateau level): {_numbers(lengths)} for t₀ = "
        f"{list(memories)}" + ("" if laws is None else "; " + _evidence_text(laws, "t₀")) + ".",
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
    found = [r for r in ratios if r is not None]
    worst = float(np.max(np.abs(np.subtract(found, 1.0)))) if found else math.nan
    return Claim(
        "gd-flow-time",
        "With a fixed step, plain gradient descent reproduces the gradient flow: its "
        "plateau lasts the flow time divided by the step.",
        worst,
        f"steps × η within {FLOW_TIME_RTOL:.0%} of the flow time at every memory",
        bool(len(found) == len(memories) and worst <= FLOW_TIME_RTOL),
        OPTIMISATION,
        f"Step η = {learning_rate:g}; ratios steps·η / flow time {_numbers(ratios)} for t₀ = "
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
        f"Step η = {learning_rate:g}, β = 0.9; ratios {_numbers(ratios)} for t₀ = "
        f"{list(memories)}.",
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
        f"Adam (η = {learning_rate:g}) plateau lengths in steps: {_numbers(lengths)} for "
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
        f"Rate × (2t₀+1): {_numbers(scaled)} for t₀ = {list(memories)}.",
        {**params, "memories": list(memories)},
        "escape_mechanism.png",
    )


def bump_floor(
    memories: Sequence[float],
    escaped: Sequence[bool],
    final_losses: Sequence[float],
    best_losses: Sequence[float],
    energies: Sequence[float],
    *,
    template: str,
) -> Claim:
    """A Gaussian bump fitted by real modes ends on an approximation floor.

    Decisive: the largest final/best loss over the runs that escaped their first plateau,
    ≤ :data:`FLOOR_FACTOR`, with every best loss ≥ :data:`FLOOR_SHARE` × ‖ρ‖² (a floor,
    not a residue) and at least two runs escaped (runs still on their first plateau are
    not counted: they have not ended anywhere yet).
    """
    ratios = [f / b for f, b, e in zip(final_losses, best_losses, escaped, strict=True) if e]
    shares = np.divide(best_losses, energies)
    worst = max(ratios) if ratios else math.nan
    return Claim(
        "bump-floor",
        "A Gaussian bump far in the past, fitted by real modes, ends on an approximation "
        "floor (no width-4 real model does much better), not only an optimisation plateau.",
        worst,
        f"every run that escaped its plateau ends within {FLOOR_FACTOR}× the best width-4 "
        f"loss, which is ≥ {FLOOR_SHARE} ‖ρ‖² at every t₀ (two escaped runs at least); "
        "measured: the largest final/best",
        bool(len(ratios) >= 2 and worst <= FLOOR_FACTOR and np.all(shares >= FLOOR_SHARE)),
        OPTIMISATION,
        "; ".join(
            f"t₀ = {t0:g}: final/best {f / b:.3g}"
            + ("" if e else " (still on its first plateau: not counted)")
            + f", best/‖ρ‖² {s:.3g}"
            for t0, e, f, b, s in zip(
                memories, escaped, final_losses, best_losses, shares, strict=True
            )
        )
        + ".",
        {"template": template, "width": 4},
        "stall_survey.png",
    )


def airy_plateau(
    memories: Sequence[float],
    start_losses: Sequence[float],
    final_losses: Sequence[float],
    best_losses: Sequence[float],
    *,
    template: str,
) -> Claim:
    """Real modes on Airy targets stall on optimisation plateaus once the memory is long.

    The unlearned share (J_end − J_best)/(J_start − J_best) is 0 for a run that reached the
    best width-m loss and 1 for one that learned nothing. A run is on an optimisation plateau
    when it learned less than half (share ≥ :data:`UNLEARNED_SHARE`) far from its floor
    (J_end > :data:`FLOOR_FACTOR` × J_best); on its floor when within that factor of a best
    loss that is ≥ :data:`FLOOR_SHARE` × J_start (the model cannot do much better: neither
    stuck nor learned); else it learned. Decisive: the number of memories on a plateau, ≥ 2,
    every one longer than every memory where the run learned, at least one run learned.
    """
    shares, stuck, learned = [], [], []
    for t0, s, f, b in zip(memories, start_losses, final_losses, best_losses, strict=True):
        shares.append((f - b) / (s - b))
        if shares[-1] >= UNLEARNED_SHARE and f > FLOOR_FACTOR * b:
            stuck.append(t0)
        elif not (f <= FLOOR_FACTOR * b and b >= FLOOR_SHARE * s):
            learned.append(t0)
    return Claim(
        "airy-plateau",
        "Airy targets with growing memory show optimisation plateaus (far above the best "
        "width-m loss), the paper's numerical evidence.",
        float(len(stuck)),
        f"two memories or more where the run removed less than half of the loss a width-4 "
        f"model can remove and ends above {FLOOR_FACTOR}× the best loss, all longer than "
        "every memory where it learned; measured: the number of such memories",
        bool(len(stuck) >= 2 and learned and min(stuck) > max(learned)),
        OPTIMISATION,
        "Unlearned share "
        + "; ".join(f"t₀ = {t0:g}: {v:.3g}" for t0, v in zip(memories, shares, strict=True))
        + f" (final/best {_numbers(np.divide(final_losses, best_losses))}); on a plateau at "
        f"t₀ = {stuck}, learned at t₀ = {learned}, the rest on their floor.",
        {"template": template, "width": 4},
        "stall_survey.png",
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


# ---- the Lorenz-96 target ----------------------------------------------------------------


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
        f"Centroids {_numbers(centroids)} at j = {list(read_outs)}; r² = {fit.r2:.4f}.",
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
        f"Unexplained share {_numbers(unexplained)} at j = {list(read_outs)} (1 − corr² of the "
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
        f"Final losses {_numbers(final_losses)} against reachable {_numbers(reachable_losses)} "
        f"at j = {list(read_outs)} (ratios {_numbers(ratios)}); a plateau followed by an escape "
        + (f"was seen at j = {seen}." if seen else "was seen at no j within the steps."),
        {**params, "read_out": list(read_outs), "model": model},
        "lorenz.png",
    )


# ---- every claim from a reproduction's data ----------------------------------------------


def paper_claims(data: Mapping[str, object]) -> list[Claim]:
    """Every claim, checked against the measurements in ``data`` (the experiments' data
    objects, keyed as :func:`seqmem.reproduce.reproduce` rebuilds them), in report order."""
    from seqmem.experiments.plateaus import REFERENCE_TEMPLATE, kernel_at

    curves = {c.kernel: c for c in data["error_curves"]}
    airy, slow = curves["airy(t0=2)"], curves["powerlaw(omega=0.5)"]
    jackson, needed = data["jackson"], data["width_needed"]
    claims = [
        universal_approximation(airy.widths, airy.l1_error, kernel=airy.kernel),
        jackson_rate(
            jackson.alphas,
            jackson.measured_exponent,
            jackson.expected_exponent,
            widths=jackson.widths,
        ),
        jackson_bound(
            jackson.bounded_error, jackson.bound, alphas=jackson.alphas, widths=jackson.widths
        ),
        curse_of_memory_width(
            needed.omegas, needed.jackson_width, needed.best_fit_fractional_width, eps=needed.eps
        ),
        power_law_slower(
            (slow.rate_fit or {"exponent": math.nan})["exponent"],
            (airy.rate_fit or {"exponent": math.nan})["exponent"],
        ),
        inverse_theorem(slow.slowest_rate, airy.slowest_rate, widths=slow.widths),
        hankel_floor(
            [e for c in curves.values() for e in c.l1_error],
            [s for c in curves.values() for s in c.hsv_floor],
            [c.hsv_first for c in curves.values() for _ in c.widths],
            kernels=list(curves),
        ),
    ]

    flat = data["no_plateau"]
    claims.append(
        no_plateau(len(flat.run.plateaus), flat.run.loss[0], flat.run.final_loss,
                   kernel=flat.kernel)
    )  # fmt: skip
    flow = data["plateau_flow"]
    reference = {"template": REFERENCE_TEMPLATE, "width": 4, "init_rates": [2.5, 3.5],
                 "init_weight": 0.1}  # fmt: skip
    claims.append(plateau_level(flow.memory, flow.plateau_level, **reference))
    claims.append(plateau_exponential(flow.memory, flow.plateau_length, **reference))
    claims.append(
        plateau_mechanism(
            math.nan if flow.fit is None else flow.fit.slope,
            math.nan if flow.predicted_slope is None else flow.predicted_slope,
            **reference,
            memories=flow.memory,
        )
    )
    flow_length = {run.memory: run.escape.length for run in flow.runs if run.escape}
    for name, verdict in (("gd", gd_flow_time), ("momentum", momentum_flow_time)):
        sweep = data[f"plateau_{name}"]
        ratios = [
            run.escape.length * run.time_scale / flow_length[run.memory]
            if run.escape and run.memory in flow_length
            else None
            for run in sweep.runs
        ]
        claims.append(verdict(sweep.memory, ratios, learning_rate=sweep.learning_rate, **reference))
    adam = data["plateau_adam"]
    claims.append(
        adam_smaller_exponent(
            adam.memory,
            adam.plateau_length,
            math.nan if flow.fit is None else flow.fit.slope,
            learning_rate=adam.learning_rate,
            **reference,
        )
    )
    claims.append(escape_rate(flow.memory, flow.escape_rates, **reference))

    rows = data["stall"]
    bump = [r for r in rows if r.modes == "real" and "bump" in r.template]
    claims.append(
        bump_floor(
            [r.memory for r in bump],
            [bool(r.run.plateaus) and r.label.kind.startswith("optimisation plateau (escaped")
             for r in bump],
            [r.label.final_loss for r in bump],
            [r.label.best_loss for r in bump],
            [kernel_at(r.template, r.memory).l2_norm_squared() for r in bump],
            template=bump[0].template,
        )
    )  # fmt: skip
    airy_rows = [r for r in rows if r.modes == "real" and r.template.startswith("airy")]
    claims.append(
        airy_plateau(
            [r.memory for r in airy_rows],
            [float(r.run.loss[0]) for r in airy_rows],
            [r.label.final_loss for r in airy_rows],
            [r.label.best_loss for r in airy_rows],
            template=airy_rows[0].template,
        )
    )
    for model in ("linear", "tanh"):
        sweeps = data[f"sampled_{model}"]
        claims.append(
            sampled_growth(
                model,
                [t0 for s in sweeps for t0 in s.memory],
                [v for s in sweeps for v in s.plateau_length],
                budget=float(data["sampled_budget"]),
                seeds=len(sweeps),
                template=REFERENCE_TEMPLATE,
            )
        )

    runs = sorted(data["lorenz"], key=lambda r: (r.model, r.read_out))
    lorenz = {"sites": 40, "forcing": 0.7, "sigma": 0.5, "dt": 0.1, "rk4_step": 0.05}
    linear = [r for r in runs if r.model == "linear"]
    claims.append(
        lorenz_memory([r.read_out for r in linear], [r.memory_centroid for r in linear], **lorenz)
    )
    claims.append(
        lorenz_nonlinear(
            [r.read_out for r in linear],
            [r.linear_response_unexplained for r in linear],
            **lorenz,
        )
    )
    for model in ("linear", "tanh"):
        mine = [r for r in runs if r.model == model]
        if len(mine) < 2:
            continue
        claims.append(
            lorenz_stall(
                model,
                int(mine[0].run.rates.shape[1]),
                [r.read_out for r in mine],
                [r.run.final_loss for r in mine],
                [r.reachable_loss for r in mine],
                [bool(r.run.plateaus) for r in mine],
                **lorenz,
            )
        )
    return claims
