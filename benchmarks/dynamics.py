"""Benchmark: population-loss optimiser steps per second, and the reference plateau sweep.

Run ``python benchmarks/dynamics.py`` from the repository root, with
``OPENBLAS_NUM_THREADS=1`` as everywhere in the project (``--help`` for the flags).
Everything is measured in one process, on one target, so that the ratios are meaningful
on a noisy machine.

What is timed, and why:

1. ``population_{gd,momentum,adam}_m16``: optimiser steps on the population loss
   J(a, w) = ‖ρ − Σ_i a_i e^{−w_i t}‖²_{L²} (ICLR 2021, §5) at width m = 16 on the target
   ρ = ``exp(rate=3)+gammabump(k=5)``, through the library's entry point
   ``seqmem.dynamics.train(kernel, 16, optimizer=..., learning_rate=0.01, steps=N,
   record_every=N // 1000)``, w = e^v (the default parameterisation) and the reference
   initialisation. ``train`` runs the whole loop in one jitted ``lax.scan``, but it builds
   a fresh jitted closure on every call, so every call compiles again: a warm-up call
   cannot take compilation out of a second one. The steady-state cost of a step is
   therefore measured as a marginal cost: two step counts N₁ and N₂ (2·10⁵ and 2·10⁶;
   ``--quick``: 2·10⁴ and 2·10⁵) are timed, and the seconds per step are
   (t₂ − t₁)/(N₂ − N₁). Both calls record 1000 points (``record_every`` ∝ N), so tracing,
   compilation, recording, the plateau search and the other per-call costs are the same in
   both and cancel. Each t is the best over the repeats of a call's wall time less the XLA
   compile time measured inside that same call (JAX's monitoring events): compilation
   would cancel in the difference too, but its ±0.2 s jitter on a shared machine would
   not, and over N₂ − N₁ = 1.8·10⁶ steps that is ±0.1 µs per step. The notes give the
   fixed cost per call, t₁ − N₁·(seconds per step), and the compile time. The rows hold
   seconds per step; the notes and the table give steps per second. Aim: ≥ 5·10⁵ GD
   steps/s. Momentum and Adam are reported against GD as ``x_floor`` rows (their ratio,
   momentum or Adam seconds / GD seconds, is the cost of their extra optimiser state).
2. ``population_{gd,momentum,adam}_m16_whole_call``: one call of N₂ steps, everything
   included (compilation, recording, the plateau search): what a user waits for.
3. ``numpy_loop_m16``, the baseline: a plain NumPy loop of the same GD maths on the same
   target and initial point: per step the closed-form J and gradient of
   ``seqmem.dynamics.population_loss(kernel, a, w)`` and the update a ← a − η ∂J/∂a,
   v ← v − η w ∂J/∂w (v = log w), timed on 2·10⁴ steps (``--quick``: 2·10³), in seconds
   per step. It is reported with GD as its baseline, a ``speedup`` row: its ratio,
   NumPy seconds / library seconds, is the speed-up of the library (aim ≥ 20).
   ``numpy_loop_m16_whole_call`` is the loop's time scaled linearly to N₂ steps (its cost
   is exactly linear), against ``population_gd_m16_whole_call``.
4. ``jax_scan_floor_m16``: a floor for the library's GD, the same update in a bare jitted
   ``lax.scan`` on θ = (a, v) with ``jax.grad`` of the same jnp loss
   (``seqmem.dynamics.loss.population_loss_function``): no optax, no pytree of
   parameters, no NaN tracking, no recording. It is compiled once (the warm-up) and timed
   on N₂ steps. ``population_gd_m16`` against it (``x_floor``) is the overhead of the
   library's loop.
5. ``plateau_sweep_flow``: experiment (b), ``seqmem.experiments.plateaus.plateau_sweep()``
   with its defaults (the reference experiment: ``exp(rate=3)+gammabump(k={t0})``,
   t₀ = 3, …, 9, width 4, gradient flow by LSODA with a jitted JAX gradient, each flow
   stopped one decade of flow time after its escape), the whole call. Its time includes
   the JIT compilations of every memory's gradient and batched loss (``gradient_flow``
   builds fresh jitted closures per run), which a user pays on every sweep; the notes
   count them. Aim: < 30 s on 2 cores. The seven plateau lengths, the log-length fit and
   the library's own ``sweep.seconds`` are printed.
6. ``numpy_lsoda_flows``, its baseline: the same seven flows integrated without JAX:
   ``scipy.integrate.solve_ivp(method="LSODA", rtol=1e-8, atol=1e-12)`` on θ = (a, log w)
   with the velocity −∇J from the NumPy closed form ``population_loss``, from the same
   initial point to the final flow time each library run reached
   (``sweep.runs[i].run.steps[-1]``), recording the loss (vectorised NumPy closed form) at
   the library run's recorded times and measuring its plateau (``plateau_escape``). It is
   one ``solve_ivp`` call per flow where the library restarts the solver at every decade of
   flow time (to test its stop rule), which favours the baseline slightly; the library's
   stop rule and its plateau search per decade are not in the baseline either. Its ratio
   (``speedup``: NumPy seconds / library seconds) is the speed-up of the library. The
   agreement check applies one fixed rule (``plateau_escape`` with band 0.05 and escape
   0.8) to the loss curves of both routes; their plateau lengths must agree within 1 %
   (the recording grids are identical, so only a shift of a crossing by a few of the
   1000-per-decade recording points could separate them). The library's own lengths
   (item 5) come from its own plateau rule.

Each time is the best of ``--repeats`` calls after one untimed warm-up call; the calls are
interleaved (one call of every benchmark per round), so that a drift in the speed of a
shared machine cannot bias the ratios; results are forced with ``jax.block_until_ready``
(JAX dispatch is asynchronous). The library's calls compile on every call, as said above;
XLA compilations during the timed calls are counted and their seconds reported. Each ratio
says which way it points (``kind``, see ``harness.py``): ``speedup`` rows give the NumPy
route's seconds / the library's (> 1: the library is faster), ``x_floor`` rows the
library's seconds / those of a floor it cannot beat (≥ 1).

Agreement (exit status 1 if either fails): after 2000 GD steps with ``record_every=1``,
``run.weights[-1]`` and ``run.rates[-1]`` (the parameters at the start of the last
recorded step, i.e. after 1999 updates, as in ``tests/test_train.py``) and ``run.loss[-1]``
must match the NumPy loop after 1999 updates to 1e-9 relative (max |Δ|/max |reference|),
and so must the floor's parameters; and the plateau lengths of the two flow routes must
agree (item 6).

With ``--json`` stdout holds only a JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; the notes go to stderr.
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
import scipy.integrate
from harness import Row, aim_column, emit, format_table, positive_count

from seqmem._jax import jax, jnp  # seqmem's JAX, configured for float64
from seqmem.dynamics import population_loss, train
from seqmem.dynamics.loss import population_loss_function
from seqmem.dynamics.plateaus import plateau_escape
from seqmem.dynamics.train import initial_parameters
from seqmem.experiments.plateaus import (
    REFERENCE_MEMORIES,
    REFERENCE_TEMPLATE,
    PlateauSweep,
    kernel_at,
    plateau_sweep,
)
from seqmem.kernels import Kernel, from_spec

TARGET = "exp(rate=3)+gammabump(k=5)"
WIDTH = 16
LEARNING_RATE = 0.01
OPTIMIZERS = ("gd", "momentum", "adam")
RECORDS = 1000  # recorded points per train call, for both step counts
AGREEMENT_STEPS = 2000
AGREEMENT_TOLERANCE = 1e-9
SWEEP_WIDTH = 4  # plateau_sweep's default width
ESCAPE = 0.8  # plateau_sweep's default escape threshold
PLATEAU_BAND = 0.05  # the band of the agreement check's plateau rule, for both routes
PLATEAU_TOLERANCE = 1e-2  # a few recording points at 1000 per decade (0.23 % apart)
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"


@dataclass(frozen=True)
class Sizes:
    """Step counts: the two library calls (N₁ < N₂) and the NumPy loop."""

    short: int
    long: int
    loop: int


FULL = Sizes(short=200_000, long=2_000_000, loop=20_000)
QUICK = Sizes(short=20_000, long=200_000, loop=2_000)

# aims: (name, baseline) -> (comparison, bound); baseline None: on the seconds themselves
AIMS: dict[tuple[str, str | None], tuple[str, float]] = {
    ("population_gd_m16", None): ("≤", 1 / 5e5),  # ≥ 5·10⁵ steps/s
    ("numpy_loop_m16", "population_gd_m16"): ("≥", 20.0),
    ("plateau_sweep_flow", None): ("≤", 30.0),
}
PER_STEP = (  # rows in seconds per step
    "population_gd_m16",
    "population_momentum_m16",
    "population_adam_m16",
    "numpy_loop_m16",
    "jax_scan_floor_m16",
)


class CompileCounter:
    """Counts XLA backend compilations and their seconds, through JAX's monitoring hook."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        jax.monitoring.register_event_duration_secs_listener(self._listen)

    def _listen(self, event: str, duration: float, **_: object) -> None:
        if event == COMPILE_EVENT:
            self.count += 1
            self.seconds += duration


def best_times(
    benchmarks: dict[str, Callable[[], object]], repeats: int, compiles: CompileCounter
) -> tuple[dict[str, float], dict[str, float], dict[str, tuple[int, float]]]:
    """Best wall time of each benchmark over ``repeats`` calls after one untimed warm-up call.

    Every call is forced to completion with ``jax.block_until_ready`` (a no-op on NumPy
    results). The timed calls are interleaved, one of each benchmark per round, so that a
    drift in machine speed affects all of them alike rather than biasing the ratios.

    Returns:
        by name: the best seconds; the best seconds net of the XLA compilation inside the
        same call (the compile time of a shared machine varies by ±0.2 s from call to call);
        and the compilations and compile seconds of the best call.
    """
    for fn in benchmarks.values():
        jax.block_until_ready(fn())
    best = dict.fromkeys(benchmarks, math.inf)
    best_net = dict.fromkeys(benchmarks, math.inf)
    compiled = dict.fromkeys(benchmarks, (0, 0.0))
    for _ in range(repeats):
        for name, fn in benchmarks.items():
            count, seconds = compiles.count, compiles.seconds
            start = time.perf_counter()
            jax.block_until_ready(fn())
            elapsed = time.perf_counter() - start
            compile_seconds = compiles.seconds - seconds
            best_net[name] = min(best_net[name], elapsed - compile_seconds)
            if elapsed < best[name]:
                best[name] = elapsed
                compiled[name] = (compiles.count - count, compile_seconds)
    return best, best_net, compiled


# --- 1. population-loss steps -------------------------------------------------------------


def library_run(kernel: Kernel, optimizer: str, steps: int):
    """The library's loop: ``train`` at width 16, 1000 recorded points."""
    return train(
        kernel,
        WIDTH,
        optimizer=optimizer,
        learning_rate=LEARNING_RATE,
        steps=steps,
        record_every=steps // RECORDS,
    )


def numpy_loop(kernel: Kernel, updates: int) -> tuple[np.ndarray, np.ndarray]:
    """``updates`` GD steps a ← a − η ∂J/∂a, v ← v − η w ∂J/∂w (w = e^v) in NumPy, from the
    reference initialisation; returns the final (a, w)."""
    weights, rates = initial_parameters(WIDTH)
    log_rates = np.log(rates)
    for _ in range(updates):
        rates = np.exp(log_rates)
        loss = population_loss(kernel, weights, rates)
        weights = weights - LEARNING_RATE * loss.grad_weights
        log_rates = log_rates - LEARNING_RATE * rates * loss.grad_rates
    return weights, np.exp(log_rates)


def scan_floor(kernel: Kernel, updates: int) -> Callable[[jax.Array], jax.Array]:
    """A jitted bare GD scan θ ← θ − η ∇J(θ) on θ = (a, v), w = e^v (see the notes)."""
    loss = population_loss_function(kernel)

    def loss_of_state(theta):
        return loss(theta[:WIDTH], jnp.exp(theta[WIDTH:]))

    gradient = jax.grad(loss_of_state)

    def step(theta, _):
        return theta - LEARNING_RATE * gradient(theta), None

    @jax.jit
    def run(theta):
        return jax.lax.scan(step, theta, None, length=updates)[0]

    return run


def initial_state() -> jax.Array:
    weights, rates = initial_parameters(WIDTH)
    return jnp.asarray(np.concatenate([weights, np.log(rates)]))


def relative_error(x: np.ndarray, reference: np.ndarray) -> float:
    """max |x − reference| / max |reference|."""
    return float(np.max(np.abs(np.asarray(x) - reference)) / np.max(np.abs(reference)))


def step_agreement(kernel: Kernel) -> dict[str, float]:
    """Relative differences after AGREEMENT_STEPS − 1 updates: library and floor vs NumPy."""
    run = train(
        kernel,
        WIDTH,
        optimizer="gd",
        learning_rate=LEARNING_RATE,
        steps=AGREEMENT_STEPS,
        record_every=1,
    )
    weights, rates = numpy_loop(kernel, AGREEMENT_STEPS - 1)
    floor = np.asarray(scan_floor(kernel, AGREEMENT_STEPS - 1)(initial_state()))
    value = population_loss(kernel, weights, rates).value
    return {
        "library weights": relative_error(run.weights[-1], weights),
        "library rates": relative_error(run.rates[-1], rates),
        "library loss": abs(run.loss[-1] - value) / abs(value),
        "floor weights": relative_error(floor[:WIDTH], weights),
        "floor rates": relative_error(np.exp(floor[WIDTH:]), rates),
    }


# --- 2. the plateau sweep -----------------------------------------------------------------


def recorded_losses(kernel: Kernel, weights: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """J at many points at once: weights, rates of shape (n, m) → shape (n,)."""
    gram = 1.0 / (rates[:, :, None] + rates[:, None, :])
    model = np.einsum("ni,nij,nj->n", weights, gram, weights)
    cross = np.sum(weights * kernel.laplace_transform(rates), axis=1)
    return model - 2.0 * cross + kernel.l2_norm_squared()


def plateau_length(losses: np.ndarray, times: np.ndarray) -> float | None:
    """The agreement check's plateau length: one fixed rule, applied to both routes."""
    found = plateau_escape(np.maximum(losses, 0.0), times, escape=ESCAPE, band=PLATEAU_BAND)
    return None if found is None else found.length


def numpy_flow(kernel: Kernel, times: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Gradient flow by LSODA with the NumPy closed-form gradient, recorded at ``times``.

    Returns the recorded losses and their plateau length (None: no escape found).
    """
    weights, rates = initial_parameters(SWEEP_WIDTH)
    m = SWEEP_WIDTH

    def velocity(_, theta):
        rates = np.exp(theta[m:])
        loss = population_loss(kernel, theta[:m], rates)
        return -np.concatenate([loss.grad_weights, rates * loss.grad_rates])

    solution = scipy.integrate.solve_ivp(
        velocity,
        (0.0, times[-1]),
        np.concatenate([weights, np.log(rates)]),
        method="LSODA",
        t_eval=times,
        rtol=1e-8,
        atol=1e-12,
    )
    if solution.status < 0:
        raise RuntimeError(f"the NumPy LSODA flow failed: {solution.message}")
    losses = recorded_losses(kernel, solution.y[:m].T, np.exp(solution.y[m:].T))
    return losses, plateau_length(losses, solution.t)


def numpy_sweep(kernels: list[Kernel], times: list[np.ndarray]):
    """The seven NumPy flows of the baseline (item 6)."""
    return [numpy_flow(kernel, t) for kernel, t in zip(kernels, times, strict=True)]


def plateau_agreement(sweep: PlateauSweep, flows) -> tuple[list[float], float]:
    """Relative differences of the two routes' plateau lengths by ``plateau_length`` (inf
    where only one route escapes), and the largest max|ΔJ|/max J of the loss curves."""
    differences, curves = [], []
    for run, (losses, length) in zip(sweep.runs, flows, strict=True):
        ours = plateau_length(run.run.loss, run.run.steps)
        if ours is None or length is None:
            differences.append(0.0 if ours is length else math.inf)
        else:
            differences.append(abs(length - ours) / ours)
        curves.append(relative_error(losses, run.run.loss))
    return differences, max(curves)


# --- measurement and report ---------------------------------------------------------------


def run(sizes: Sizes, repeats: int) -> tuple[list[Row], list[str], bool]:
    """Measure everything; return the table rows, notes, and whether all routes agree."""
    compiles = CompileCounter()
    kernel = from_spec(TARGET)
    floor = scan_floor(kernel, sizes.long)
    theta = initial_state()

    reference = plateau_sweep()  # the sweep's warm-up, and the flow times of the baseline
    memories = [float(t0) for t0 in REFERENCE_MEMORIES]
    kernels = [kernel_at(REFERENCE_TEMPLATE, t0) for t0 in memories]
    flow_times = [r.run.steps for r in reference.runs]
    latest: dict[str, object] = {"sweep": reference}

    sweep_seconds: list[float] = []

    def sweep() -> PlateauSweep:
        latest["sweep"] = plateau_sweep()
        sweep_seconds.append(latest["sweep"].seconds)
        return latest["sweep"]

    def baseline_sweep():
        latest["flows"] = numpy_sweep(kernels, flow_times)
        return latest["flows"]

    benchmarks: dict[str, Callable[[], object]] = {}
    for optimizer in OPTIMIZERS:
        for label, steps in (("short", sizes.short), ("long", sizes.long)):
            benchmarks[f"{optimizer}_{label}"] = lambda o=optimizer, n=steps: (
                library_run(kernel, o, n).final_loss
            )
    benchmarks["numpy_loop"] = lambda: numpy_loop(kernel, sizes.loop)
    benchmarks["floor"] = lambda: floor(theta)
    benchmarks["plateau_sweep_flow"] = sweep
    benchmarks["numpy_lsoda_flows"] = baseline_sweep
    times, net_times, compiled = best_times(benchmarks, repeats, compiles)

    seconds: dict[str, float] = {}
    fixed: dict[str, float] = {}
    for optimizer in OPTIMIZERS:
        name = f"population_{optimizer}_m16"
        t1, t2 = net_times[f"{optimizer}_short"], net_times[f"{optimizer}_long"]
        seconds[name] = (t2 - t1) / (sizes.long - sizes.short)
        seconds[f"{name}_whole_call"] = times[f"{optimizer}_long"]
        fixed[optimizer] = t1 - sizes.short * seconds[name]
    seconds["numpy_loop_m16"] = times["numpy_loop"] / sizes.loop
    seconds["numpy_loop_m16_whole_call"] = seconds["numpy_loop_m16"] * sizes.long
    seconds["jax_scan_floor_m16"] = times["floor"] / sizes.long
    seconds["plateau_sweep_flow"] = times["plateau_sweep_flow"]
    seconds["numpy_lsoda_flows"] = times["numpy_lsoda_flows"]

    row = partial(Row.from_times, seconds)
    rows = [
        row("population_gd_m16"),
        row("population_momentum_m16", "population_gd_m16", "x_floor"),
        row("population_adam_m16", "population_gd_m16", "x_floor"),
        row("numpy_loop_m16", "population_gd_m16", "speedup", seqmem="baseline"),
        row("population_gd_m16", "jax_scan_floor_m16", "x_floor"),
        row("jax_scan_floor_m16"),
        row("population_gd_m16_whole_call"),
        row("population_momentum_m16_whole_call"),
        row("population_adam_m16_whole_call"),
        row(
            "numpy_loop_m16_whole_call",
            "population_gd_m16_whole_call",
            "speedup",
            seqmem="baseline",
        ),
        row("plateau_sweep_flow"),
        row("numpy_lsoda_flows", "plateau_sweep_flow", "speedup", seqmem="baseline"),
    ]

    step_errors = step_agreement(kernel)
    sweep_result: PlateauSweep = latest["sweep"]
    differences, curve_error = plateau_agreement(sweep_result, latest["flows"])
    numpy_lengths = [length for _, length in latest["flows"]]
    steps_ok = all(error <= AGREEMENT_TOLERANCE for error in step_errors.values())
    plateaus_ok = all(d <= PLATEAU_TOLERANCE for d in differences)

    fit = sweep_result.fit
    notes = [
        f"target {TARGET}, width m = {WIDTH}, learning rate {LEARNING_RATE}, best of {repeats} "
        f"after a warm-up; {os.cpu_count()} CPU cores, OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, JAX {jax.__version__} on "
        f"{jax.devices()[0].platform}",
        f"steps per second: marginal over N₁ = {sizes.short:,} → N₂ = {sizes.long:,} steps "
        f"({RECORDS} records per call); the NumPy loop timed on {sizes.loop:,} steps, "
        "the floor on N₂ steps after its compilation",
    ]
    for name in PER_STEP:
        notes.append(f"  {name}: {1 / seconds[name]:,.0f} steps/s")
    for optimizer in OPTIMIZERS:
        count, compile_s = compiled[f"{optimizer}_long"]
        notes.append(
            f"{optimizer}: fixed cost per train call {fixed[optimizer]:.3f} s net of XLA "
            f"compilation; the fastest N₂ call compiled {count} time(s) in {compile_s:.3f} s"
        )
    count, compile_s = compiled["plateau_sweep_flow"]
    notes += [
        f"plateau sweep (flow, t0 = {', '.join(f'{t:g}' for t in memories)}): lengths "
        + ", ".join(f"{x:.4g}" if x is not None else "none" for x in sweep_result.plateau_length)
        + (
            f"; log-length fit slope {fit.slope:.4f}, r² {fit.r2:.4f}"
            if fit is not None
            else "; no fit"
        )
        + (
            f"; predicted slope {sweep_result.predicted_slope:.4f}"
            if sweep_result.predicted_slope is not None
            else ""
        ),
        f"plateau sweep: sweep.seconds {min(sweep_seconds):.2f} s (fastest call; slowest "
        f"{max(sweep_seconds):.2f} s, warm-up included); the fastest call compiled {count} "
        f"times, {compile_s:.2f} s of XLA compilation included",
        f"agreement of the flows: plateau lengths (plateau_escape, band {PLATEAU_BAND}, escape "
        f"{ESCAPE}, on both routes' curves) by NumPy LSODA "
        + ", ".join(f"{x:.4g}" if x is not None else "none" for x in numpy_lengths)
        + f"; largest relative difference from the library's curves {max(differences):.1e} "
        f"(tolerance {PLATEAU_TOLERANCE:.0e}, {'ok' if plateaus_ok else 'MISMATCH'}); the loss "
        f"curves differ by at most {curve_error:.1e} of max J",
    ]
    for name, error in step_errors.items():
        verdict = "ok" if error <= AGREEMENT_TOLERANCE else "MISMATCH"
        notes.append(
            f"agreement after {AGREEMENT_STEPS - 1} GD updates, {name} vs NumPy: {error:.2e} "
            f"(tolerance {AGREEMENT_TOLERANCE:.0e}, {verdict})"
        )
    return rows, notes, steps_ok and plateaus_ok


def show_aim(row: Row, comparison: str, bound: float) -> str:
    """An aim as the table writes it: a ratio's, a rate of steps, or seconds."""
    if row.baseline is not None:
        return f"{comparison} {bound:g}×"
    if row.name in PER_STEP:  # seconds per step, shown as a rate
        return f"≥ {1 / bound:,.0f} steps/s"
    return f"{comparison} {bound:g} s"


def steps_per_second(row: Row) -> str:
    return f"{1 / row.seconds:,.0f}" if row.name in PER_STEP else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=positive_count, default=3, help="timed calls per benchmark (3)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: N₁, N₂ = 2e4, 2e5 library steps and 2e3 NumPy steps",
    )
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)

    rows, notes, agree = run(QUICK if args.quick else FULL, args.repeats)
    columns = {"steps/s": steps_per_second, "aim": aim_column(AIMS, show_aim)}
    emit(rows, notes, args.json, format_table(rows, columns))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
