"""One run of each sweepable experiment: normalised parameters in, a :class:`RunResult` out.

Each ``run_*`` function takes the parameter dict of its entry in
:data:`seqmem.experiments.registry.EXPERIMENTS` (validated, defaults filled in) and returns
JSON-able scalar metrics and named float curves, for a results store. The experiments are
imported when a run starts, so that listing and validating a sweep stays cheap.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class RunResult:
    """What one run produces: scalar metrics and named curves (1-d float arrays)."""

    metrics: dict[str, float | int | str | bool | None]
    curves: dict[str, np.ndarray] = field(default_factory=dict)


def _as_float(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _sampled_options(p: dict) -> dict:
    return {"dt": p["dt"], "batch": p["batch"], "length": p["length"]}


def run_plateau(p: dict) -> RunResult:
    """A plateau sweep at one memory (:func:`~seqmem.experiments.plateau_sweep.plateau_sweep`)."""
    from seqmem.experiments.plateau_sweep import memory_run_record, plateau_sweep

    sweep = plateau_sweep(
        p["template"],
        [p["memory"]],
        optimizer=p["optimizer"],
        learning_rate=p["learning_rate"],
        width=p["width"],
        init_rates=tuple(p["init_rates"]),
        init_weight=p["init_weight"],
        seed=p["seed"],
        escape=p["escape"],
        loss=p["loss"],
        model=p["model"],
        max_steps=p["max_steps"],
        **_sampled_options(p),
    )
    (measured,) = sweep.runs
    metrics, curves = memory_run_record(measured)
    return RunResult(metrics=metrics, curves=curves)


def run_train(p: dict) -> RunResult:
    """One training run (:func:`~seqmem.dynamics.train`) and its first plateau."""
    from seqmem.dynamics import train
    from seqmem.kernels import from_spec

    run = train(
        from_spec(p["spec"]),
        p["width"],
        loss=p["loss"],
        model=p["model"],
        optimizer=p["optimizer"],
        learning_rate=p["learning_rate"],
        steps=p["steps"] if p["optimizer"] == "flow" else int(p["steps"]),
        seed=p["seed"],
        rate_parameterisation=p["parameterisation"],
        oscillating=p["oscillating"],
        **_sampled_options(p),
    )
    first = run.plateaus[0] if run.plateaus else None
    return RunResult(
        metrics={
            "initial_loss": _as_float(run.loss[0]),
            "final_loss": _as_float(run.final_loss),
            "plateaus": len(run.plateaus),
            "plateau_start": None if first is None else first.start,
            "plateau_end": None if first is None else first.end,
            "plateau_level": None if first is None else first.level,
        },
        curves={"steps": run.steps, "loss": run.loss, "smallest_rate": run.rates.min(axis=1)},
    )


def run_stall(p: dict) -> RunResult:
    """One labelled run of the stall survey (:func:`~seqmem.experiments.stalls.stall_survey`)."""
    from seqmem.experiments.stalls import stall_survey

    (row,) = stall_survey(
        (p["template"],),
        (p["memory"],),
        width=p["width"],
        final_time=p["final_time"],
        modes=(p["modes"],),
    )
    metrics, curves = row.run.record()
    label = row.label
    metrics.update(kind=label.kind, stall_level=label.stall_level, best_loss=label.best_loss)
    return RunResult(metrics, curves)


def run_error_curve(p: dict) -> RunResult:
    """Experiment (a) of §4 on one kernel
    (:func:`~seqmem.experiments.approximation.error_versus_width`)."""
    from seqmem.experiments.approximation import error_versus_width

    (curve,) = error_versus_width([p["spec"]], p["widths"])
    return RunResult(metrics=dataclasses.asdict(curve))


def run_jackson_rates(p: dict) -> RunResult:
    """Experiment (b) of §4 (:func:`~seqmem.experiments.approximation.jackson_rates`)."""
    from seqmem.experiments.approximation import jackson_rates

    return RunResult(metrics=dataclasses.asdict(jackson_rates(p["alphas"], p["widths"])))


def run_width_needed(p: dict) -> RunResult:
    """Experiment (c) of §4 (:func:`~seqmem.experiments.approximation.width_needed`)."""
    from seqmem.experiments.approximation import width_needed

    data = width_needed(p["omegas"], p["eps"], p["max_width"])
    return RunResult(metrics=dataclasses.asdict(data))


def run_no_plateau(p: dict) -> RunResult:
    """Experiment (a) of §5 (:func:`~seqmem.experiments.no_plateau.no_plateau`)."""
    from seqmem.experiments.no_plateau import no_plateau

    data = no_plateau(p["spec"], width=p["width"], final_time=p["final_time"])
    metrics, curves = data.run.record()
    metrics.update(kernel=data.kernel, best_loss=data.best_loss)
    return RunResult(metrics, curves)


def run_lorenz(p: dict) -> RunResult:
    """One Lorenz-96 run (:func:`~seqmem.experiments.lorenz.lorenz_run`)."""
    from seqmem.experiments.lorenz import lorenz_run

    options = {k: v for k, v in p.items() if k not in ("read_out", "model")}
    data = lorenz_run(p["read_out"], p["model"], **options)
    metrics, curves = data.run.record()
    metrics.update(
        memory_centroid=data.memory_centroid,
        linear_response_unexplained=data.linear_response_unexplained,
        reachable_loss=data.reachable_loss,
    )
    return RunResult(metrics, curves)


def run_approx(p: dict) -> RunResult:
    """The width-m approximant of one kernel (:func:`~seqmem.approximation.error_against_width`
    at that one width), its absolute and relative errors and the Hankel floor σ_{m+1}."""
    from seqmem.approximation import error_against_width, hankel_singular_values
    from seqmem.kernels import from_spec

    kernel = from_spec(p["spec"])
    width = p["width"]
    (row,) = error_against_width(kernel, [width], method=p["method"], norm=p["norm"])
    errors = row.errors
    floor = hankel_singular_values(kernel, width + 1)[width]
    return RunResult(
        metrics={
            "l1_error": float(errors.l1),
            "l2_error": float(errors.l2),
            "l1_tolerance": float(errors.l1_tolerance),
            "l2_tolerance": float(errors.l2_tolerance),
            "relative_l1_error": float(errors.l1 / kernel.l1_norm()),
            "relative_l2_error": float(errors.l2 / math.sqrt(kernel.l2_norm_squared())),
            "hsv_floor": float(floor),
            "slowest_rate": float(row.slowest_rate),
        }
    )
