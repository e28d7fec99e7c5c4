"""Benchmark: ``best_fit`` against a joint least-squares fit, and Hankel singular values.

Run ``python benchmarks/approximation.py`` (``--help`` for the flags). Everything is
measured in one process, so that the ratios are meaningful on a noisy machine.

What is timed, and why:

1. ``best_fit_m{4,8,16}``: ``seqmem.approximation.best_fit(PowerLaw(omega=0.5), m)``, the
   variable-projection fit (Levenberg–Marquardt on the log-rates only, the weights solved
   exactly, Kaufman's Jacobian, several starts). The project's target: m ≤ 16 in ≤ 10 s
   on 2 cores. Its time includes everything a call does: the quadrature grid, the
   balanced-truncation seed, the 4 starts (3 geometric spreads and the balanced
   truncation's rates) and the exact L¹/L² errors of the result.
2. ``joint_lsq_m{4,8,16}``, the baseline: what a user would otherwise write,
   ``scipy.optimize.least_squares`` on all 2m parameters jointly (log-rates v and weights
   a), residual √q_k(ρ(t_k) − Σ_i a_i e^{−e^{v_i} t_k}) on the same grid
   ``quadrature_grid(kernel)`` (t_k, q_k), finite-difference Jacobian ("2-point"), the
   same method ("lm", MINPACK) and tolerances (xtol 1e-12, ftol 1e-13, gtol 1e-13), the
   same rule for the budget (max_nfev = 100·(parameters + 1); SciPy ≥ 1.16 does not count
   the Jacobian's evaluations in it) and one start: ``best_fit``'s first geometric rates,
   with the least-squares weights for them (so both methods start from the same
   residual). Its time includes building the grid and the start. Each width is first run
   as a probe of at most ``--probe-nfev`` evaluations (this is its warm-up); if the probe
   has not converged and the full budget would take more than ``--budget`` seconds at the
   probe's rate (scaled by ``PROBE_GROWTH``, as later evaluations cost more), max_nfev is
   capped to fit the budget, the capped run is timed once, and the output says so: its
   time is then a lower bound on the uncapped one, and its error is what it reached. Its
   relative L² error is computed as ``best_fit``'s, by ``approximation_errors(kernel,
   LinearRNN.from_rates(rates, weights))`` over √‖ρ‖²_{L²}. The ratio joint_lsq /
   best_fit is the speed-up of ``best_fit``.
3. ``hsv_matrix_airy``: ``hankel_singular_values(airy(t0=6), 20, method="matrix",
   length=10_000)`` (target ≤ 5 s), split into its two parts as
   ``seqmem.approximation.hankel`` computes them: ``hsv_grid_weights``, the exact grid
   weights K_j for j < 2n + 2 (``grid_kernel``), and ``hsv_randomized_solve``, the two
   randomized eigen-solves (grids Δ and 2Δ) and the Richardson step. The split uses the
   module's private helpers, and is checked to reproduce the public call's values.
4. At a smaller n (``--dense-length``, default 2000), on the same Hankel matrix H of
   the averaged grid weights: ``dense_svd`` (``scipy.linalg.svdvals`` of the dense H,
   its construction included), the baseline; ``dense_eigvalsh`` (``scipy.linalg.eigvalsh``,
   the dense solver for a symmetric H, a stronger baseline); and ``randomized``, one
   randomized solve of the library (no extrapolation, so the same matrix). The top 20
   values are compared (max |Δσ_k|/σ₁); the dense SVD at n = ``--length`` is estimated
   from its O(n³) cost, not run.
5. ``hsv_quadrature_powerlaw``: ``hankel_singular_values(PowerLaw(omega=0.5), 20,
   method="quadrature")``, the pivoted Cauchy–Cholesky route.

Each time is the best of ``--repeats`` calls after one untimed warm-up call; the calls are
interleaved (one call of every benchmark per round), so that a drift in the speed of a
shared machine cannot bias the ratios; every call builds its kernel anew, so no cached
kernel property carries over between calls. A capped baseline run is timed once (its
probe is its warm-up).

The ratios are all of kind ``speedup`` (see ``harness.py``): the competitor's seconds over
seqmem's, > 1 where seqmem is faster. The rows ``joint_lsq_m*`` time the joint fit with
``best_fit_m*`` as baseline (a capped joint fit makes its ratio a lower bound), and the
rows ``dense_svd_n*`` and ``dense_eigvalsh_n*`` time the dense solvers with the
library's ``randomized_n*`` as baseline. The parts of ``hsv_matrix_airy`` have no
baseline; their shares of the public call are in the notes.

With ``--json`` stdout holds only a JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; the notes go to stderr.
The exit status is 1 if the randomized singular values disagree with the dense SVD by
more than 1e-10·σ₁, or if the split of ``hsv_matrix_airy`` does not reproduce it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy
import scipy.linalg
import scipy.optimize
from harness import Row, aim_column, emit, format_table, positive_count

from seqmem import LinearRNN
from seqmem.approximation import approximation_errors, best_fit, hankel_singular_values
from seqmem.approximation.grid import quadrature_grid
from seqmem.approximation.hankel import (
    _averaged,
    _Hankel,
    _resolve_grid,
    _top_eigenpairs,
    grid_singular_values,
)
from seqmem.functional import grid_kernel
from seqmem.kernels import Kernel, PowerLaw, from_spec

OMEGA = 0.5
WIDTHS = (4, 8, 16)
AIRY = "airy(t0=6)"
COUNT = 20  # Hankel singular values asked for
SEED = 0  # the randomized solver's seed (the library's default)
TOLERANCES = {"xtol": 1e-12, "ftol": 1e-13, "gtol": 1e-13}  # those of best_fit's _fit_l2
LOG_MIN, LOG_MAX = math.log(1e-8), math.log(1e8)  # best_fit's clip of the log-rates
AGREEMENT_TOLERANCE = 1e-10  # max |Δσ_k|/σ₁, randomized vs dense
BEST_FIT_TARGET_S = 10.0
HSV_TARGET_S = 5.0
# The baseline's evaluations get dearer along its path (measured at m = 16 on 2 cores:
# 25 ms each over the first 100, 37 ms each over 2344), so the probe's rate is scaled by
# this measured factor before it sets a cap.
PROBE_GROWTH = 1.45
STOPS = {1: "gtol", 2: "ftol", 3: "xtol", 4: "ftol and xtol"}  # least_squares' status

# time targets: (name, no baseline) -> bound in seconds
TARGETS: dict[tuple[str, None], tuple[str, float]] = {
    (f"best_fit_m{m}", None): ("≤", BEST_FIT_TARGET_S) for m in WIDTHS
}
TARGETS["hsv_matrix_airy", None] = ("≤", HSV_TARGET_S)


def best_times(
    benchmarks: dict[str, Callable[[], object]], repeats: int, once: set[str]
) -> tuple[dict[str, float], dict[str, object]]:
    """Best wall time of each benchmark over ``repeats`` interleaved calls, after a warm-up.

    Benchmarks in ``once`` are not warmed up (the caller did) and are timed in the first
    round only. The timed calls are interleaved, one of each benchmark per round, so that
    a drift in machine speed affects all of them alike rather than biasing the ratios.

    Returns:
        best seconds, and the result of each benchmark's last call, by name.
    """
    results: dict[str, object] = {}
    for name, fn in benchmarks.items():
        if name not in once:
            results[name] = fn()
    best = dict.fromkeys(benchmarks, math.inf)
    for round_ in range(repeats):
        for name, fn in benchmarks.items():
            if name in once and round_ > 0:
                continue
            start = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best, results


# --- 1–2. best_fit and the joint least-squares baseline ---------------------------------
def power_law() -> Kernel:
    return PowerLaw(omega=OMEGA)


@dataclass(frozen=True)
class JointFit:
    """The baseline's result: ρ̂ = Σ a_i e^{−w_i t}, and how MINPACK stopped."""

    rates: np.ndarray
    weights: np.ndarray
    nfev: int
    max_nfev: int
    status: int  # scipy's: 0 = max_nfev reached, > 0 = a tolerance was met
    message: str


def full_budget(width: int) -> int:
    """best_fit's max_nfev rule, 100·(parameters + 1), for the 2m joint parameters."""
    return 100 * (2 * width + 1)


def joint_least_squares(kernel: Kernel, width: int, max_nfev: int) -> JointFit:
    """The plain fit of (log-rates, weights) by least_squares (see the module docstring)."""
    grid = quadrature_grid(kernel)
    t, root = grid.nodes, np.sqrt(grid.weights)
    target = kernel(t) * root
    short, long = kernel.time_scales()
    rates = np.geomspace(1.0 / long, max(1.0 / short, 2.0 / long), width)  # best_fit's 1st
    weights = scipy.linalg.lstsq(np.exp(-np.outer(t, rates)) * root[:, None], target)[0]

    def residual(params: np.ndarray) -> np.ndarray:
        decay = np.exp(np.clip(params[:width], LOG_MIN, LOG_MAX))
        return target - (np.exp(-np.outer(t, decay)) * root[:, None]) @ params[width:]

    result = scipy.optimize.least_squares(
        residual,
        np.concatenate([np.log(rates), weights]),
        jac="2-point",
        method="lm",
        max_nfev=max_nfev,
        **TOLERANCES,
    )
    return JointFit(
        rates=np.exp(np.clip(result.x[:width], LOG_MIN, LOG_MAX)),
        weights=result.x[width:],
        nfev=int(result.nfev),
        max_nfev=max_nfev,
        status=int(result.status),
        message=str(result.message),
    )


def joint_relative_l2(kernel: Kernel, fit: JointFit) -> float:
    """‖ρ − ρ̂‖_{L²}/‖ρ‖_{L²}, computed as best_fit computes its own."""
    errors = approximation_errors(kernel, LinearRNN.from_rates(fit.rates, fit.weights))
    return errors.l2 / math.sqrt(kernel.l2_norm_squared())


def baseline_budget(
    width: int, probe_nfev: int, budget_s: float, fixed: int | None
) -> tuple[int, str | None]:
    """max_nfev for the baseline at this width, and a note when it is capped.

    The probe (at most ``probe_nfev`` evaluations) is also the baseline's warm-up.
    """
    full = full_budget(width)
    if fixed is not None:
        cap = min(fixed, full)
        note = f"max_nfev capped at {cap} of {full} by --max-nfev" if cap < full else None
        return cap, note
    start = time.perf_counter()
    probe = joint_least_squares(power_law(), width, min(full, probe_nfev))
    probe_rate = (time.perf_counter() - start) / probe.nfev  # Jacobians included
    rate = PROBE_GROWTH * probe_rate
    if probe.status != 0 or probe.nfev >= full or rate * full <= budget_s:
        return full, None
    cap = max(probe_nfev, int(budget_s / rate))
    return cap, (
        f"max_nfev capped at {cap} of {full}: at the probe's {1e3 * probe_rate:.1f} ms per "
        f"evaluation (Jacobian included; {probe.nfev} evaluations) × {PROBE_GROWTH:g} for "
        f"the dearer later ones, the full budget would take ≈ {rate * full:.0f} s > "
        f"{budget_s:g} s; the time is a lower bound and the capped run is timed once"
    )


# --- 3–5. Hankel singular values ----------------------------------------------------
def airy() -> Kernel:
    return from_spec(AIRY)


def matrix_grid(kernel: Kernel, length: int) -> tuple[float, int]:
    """(Δ, n) as hankel_singular_values chooses them for ``length=length``."""
    return _resolve_grid(kernel, None, length, "benchmark", COUNT)


def hsv_weights(length: int) -> np.ndarray:
    """The grid weights K_j, j < 2n + 2, that the matrix route computes first."""
    kernel = airy()
    step, size = matrix_grid(kernel, length)
    return grid_kernel(kernel, step, 2 * size + 2)


def hsv_solve(weights: np.ndarray, size: int) -> np.ndarray:
    """The rest of the matrix route: randomized solves on grids Δ, 2Δ and 4Δ, Richardson."""
    return grid_singular_values(weights, COUNT, size, seed=SEED)[0]


def randomized_values(operator: _Hankel) -> np.ndarray:
    """One randomized solve: the top COUNT |eigenvalues| of the symmetric H = its σ_k."""
    return np.abs(_top_eigenpairs(operator, COUNT, SEED)[0])


def dense_eigvalsh(operator: _Hankel) -> np.ndarray:
    return np.sort(np.abs(scipy.linalg.eigvalsh(operator.dense())))[::-1]


# --- the whole run ------------------------------------------------------------------
def run(
    repeats: int,
    length: int,
    dense_length: int,
    budget_s: float,
    probe_nfev: int,
    fixed_nfev: int | None,
) -> tuple[list[Row], list[str], list[str], bool]:
    """Measure everything; return the rows, the fit table, notes, and whether all agree."""
    notes: list[str] = []
    budgets: dict[int, int] = {}
    for width in WIDTHS:
        budgets[width], note = baseline_budget(width, probe_nfev, budget_s, fixed_nfev)
        if note:
            notes.append(f"joint_lsq_m{width}: {note}")
    capped = {f"joint_lsq_m{m}" for m in WIDTHS if budgets[m] < full_budget(m)}

    size = matrix_grid(airy(), length)[1]
    weights = hsv_weights(length)
    step_small, size_small = matrix_grid(airy(), dense_length)
    small = _Hankel(_averaged(grid_kernel(airy(), step_small, 2 * size_small + 2)), size_small)

    benchmarks: dict[str, Callable[[], object]] = {}
    for width in WIDTHS:
        benchmarks[f"best_fit_m{width}"] = lambda m=width: best_fit(power_law(), m)
        benchmarks[f"joint_lsq_m{width}"] = lambda m=width: joint_least_squares(
            power_law(), m, budgets[m]
        )
    benchmarks |= {
        "hsv_matrix_airy": lambda: hankel_singular_values(
            airy(), COUNT, method="matrix", length=length
        ),
        "hsv_grid_weights": lambda: hsv_weights(length),
        "hsv_randomized_solve": lambda: hsv_solve(weights, size),
        f"randomized_n{dense_length}": lambda: randomized_values(small),
        f"dense_svd_n{dense_length}": lambda: scipy.linalg.svdvals(small.dense()),
        f"dense_eigvalsh_n{dense_length}": lambda: dense_eigvalsh(small),
        "hsv_quadrature_powerlaw": lambda: hankel_singular_values(
            power_law(), COUNT, method="quadrature"
        ),
    }
    times, results = best_times(benchmarks, repeats, capped)
    times["hsv_parts_sum"] = times["hsv_grid_weights"] + times["hsv_randomized_solve"]

    # fit quality
    fit_table = [
        f"{'m':>3}  {'best_fit rel L2':>15}  {'joint_lsq rel L2':>16}  "
        f"{'joint nfev/max':>14}  joint_lsq stopped by",
    ]
    fit_table.append("-" * len(fit_table[0]))
    for width in WIDTHS:
        fit = results[f"best_fit_m{width}"]
        joint = results[f"joint_lsq_m{width}"]
        if joint.status != 0:
            stop = f"converged ({STOPS.get(joint.status, joint.message)})"
        elif f"joint_lsq_m{width}" in capped:
            stop = "max_nfev (capped), not converged"
        else:
            stop = "max_nfev (full budget), not converged"
        fit_table.append(
            f"{width:>3}  {fit.relative_l2_error:>15.3e}  "
            f"{joint_relative_l2(power_law(), joint):>16.3e}  "
            f"{f'{joint.nfev}/{joint.max_nfev}':>14}  {stop}"
        )

    # agreement: the split against the public call, randomized against the dense SVD
    public = results["hsv_matrix_airy"]
    split = results["hsv_randomized_solve"]
    split_error = float(np.max(np.abs(split - public)) / public[0])
    dense = results[f"dense_svd_n{dense_length}"][:COUNT]
    randomized = results[f"randomized_n{dense_length}"]
    symmetric = results[f"dense_eigvalsh_n{dense_length}"][:COUNT]
    agreement = float(np.max(np.abs(randomized - dense)) / dense[0])
    eigvalsh_agreement = float(np.max(np.abs(symmetric - dense)) / dense[0])
    resolved = dense >= 1e-8 * dense[0]
    relative = float(np.max(np.abs(randomized - dense)[resolved] / dense[resolved]))

    row = partial(Row.from_times, times)
    rows = []
    for width in WIDTHS:
        rows += [
            row(f"best_fit_m{width}"),
            row(f"joint_lsq_m{width}", f"best_fit_m{width}", "speedup", seqmem="baseline"),
        ]
    dense_name, rand_name = f"dense_svd_n{dense_length}", f"randomized_n{dense_length}"
    rows += [
        row("hsv_matrix_airy"),
        row("hsv_grid_weights"),
        row("hsv_randomized_solve"),
        row("hsv_parts_sum"),
        row(rand_name),
        row(dense_name, rand_name, "speedup", seqmem="baseline"),
        row(f"dense_eigvalsh_n{dense_length}", rand_name, "speedup", seqmem="baseline"),
        row("hsv_quadrature_powerlaw"),
    ]

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    step = matrix_grid(airy(), length)[0]
    notes[:0] = [
        f"best of {repeats} after a warm-up; {os.cpu_count()} CPU cores, "
        f"OPENBLAS_NUM_THREADS={threads}, NumPy {np.__version__}, SciPy {scipy.__version__}",
        f"best_fit: PowerLaw(omega={OMEGA}), {quadrature_grid(power_law()).nodes.size} grid "
        "nodes, 4 starts per call (3 geometric, 1 balanced truncation); joint_lsq: 1 start",
        f"hsv_matrix_airy: {AIRY}, n = {size}, Δ = {step:.4g}, {2 * size + 2} grid weights; "
        f"dense comparison at n = {size_small}, Δ = {step_small:.4g}",
        "hsv_matrix_airy split: "
        + ", ".join(
            f"{part} {times[part] / times['hsv_matrix_airy']:.0%}"
            for part in ("hsv_grid_weights", "hsv_randomized_solve", "hsv_parts_sum")
        )
        + " of the public call's time",
        f"{dense_name} extrapolated to n = {size} by (n/{size_small})³: "
        f"≈ {times[dense_name] * (size / size_small) ** 3:.0f} s (estimate, not run)",
        f"agreement {rand_name} vs {dense_name}, top {COUNT}: max|Δσ_k|/σ₁ = {agreement:.2e} "
        f"(tolerance {AGREEMENT_TOLERANCE:.0e}, "
        f"{'ok' if agreement <= AGREEMENT_TOLERANCE else 'MISMATCH'}); "
        f"max|Δσ_k|/σ_k = {relative:.2e} over the {int(resolved.sum())} σ_k ≥ 1e-8·σ₁",
        f"agreement dense_eigvalsh vs {dense_name}, top {COUNT}: max|Δσ_k|/σ₁ = "
        f"{eigvalsh_agreement:.2e}",
        f"split of hsv_matrix_airy reproduces the public call: max|Δσ_k|/σ₁ = {split_error:.1e} "
        f"({'ok' if split_error <= 1e-14 else 'MISMATCH: the split no longer mirrors src'})",
    ]
    fastest = {m: times[f"best_fit_m{m}"] for m in WIDTHS}
    met = all(t <= BEST_FIT_TARGET_S for t in fastest.values())
    notes.append(
        f"target best_fit m ≤ 16 in ≤ {BEST_FIT_TARGET_S:g} s: "
        f"{'met' if met else 'NOT met'} (m = 16: {fastest[16]:.2f} s)"
    )
    hsv_met = times["hsv_matrix_airy"] <= HSV_TARGET_S
    notes.append(
        f"target hsv_matrix_airy ≤ {HSV_TARGET_S:g} s: {'met' if hsv_met else 'NOT met'} "
        f"({times['hsv_matrix_airy']:.2f} s)"
    )
    agree = agreement <= AGREEMENT_TOLERANCE and split_error <= 1e-14
    return rows, fit_table, notes, agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=positive_count, default=3, help="timed calls per method (3)"
    )
    parser.add_argument(
        "--length",
        type=positive_count,
        default=10_000,
        help="Hankel size n of the matrix route (1e4)",
    )
    parser.add_argument(
        "--dense-length", type=positive_count, default=2000, help="n of the dense comparison (2000)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds one baseline fit may take before its max_nfev is capped (60)",
    )
    parser.add_argument(
        "--probe-nfev",
        type=positive_count,
        default=100,
        help="evaluations of the baseline probe (100)",
    )
    parser.add_argument(
        "--max-nfev",
        type=positive_count,
        default=None,
        help="a fixed cap on the baseline's max_nfev instead of the probe's estimate",
    )
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)

    rows, fit_table, notes, agree = run(
        args.repeats, args.length, args.dense_length, args.budget, args.probe_nfev, args.max_nfev
    )
    target = aim_column(TARGETS, lambda _, comparison, bound: f"{comparison} {bound:g} s")
    emit(rows, [*fit_table, "", *notes], args.json, format_table(rows, {"target": target}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
