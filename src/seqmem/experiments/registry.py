"""The experiments a sweep can run: one run = one experiment at one point of a parameter grid.

Each entry names its parameters (type, default, allowed values) so that a sweep config can
be validated before anything runs, and maps a normalised parameter dict to a
:class:`RunResult`: scalar metrics (JSON-able) and curves (float arrays). Every run is
deterministic given its parameters (random ones take a ``seed`` parameter, 0 unless the
config says otherwise), so the same config gives the same numbers on any number of workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from seqmem.errors import SeqmemValueError

REQUIRED = object()  # the default of a parameter a config must give


@dataclass(frozen=True)
class Parameter:
    """One parameter: ``kind`` is "str", "int", "float", "bool", "pair" (two floats) or a
    non-empty list "strs", "ints", "floats"."""

    name: str
    kind: str
    default: object = REQUIRED
    choices: tuple | None = None
    optional: bool = False  # None allowed (e.g. "the optimiser's default learning rate")
    description: str = ""


@dataclass(frozen=True)
class RunResult:
    """What one run produces: scalar metrics and named curves (1-d float arrays)."""

    metrics: dict[str, float | int | str | bool | None]
    curves: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """A sweepable experiment: its parameters and the function running one point."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    run: Callable[[dict], RunResult]

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]


def _as_float(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _sampled_options(p: dict) -> dict:
    return {"dt": p["dt"], "batch": p["batch"], "length": p["length"]}


def _run_plateau(p: dict) -> RunResult:
    from seqmem.experiments.plateaus import memory_run_record, plateau_sweep

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


def _run_train(p: dict) -> RunResult:
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


def _run_stall(p: dict) -> RunResult:
    from seqmem.experiments.plateaus import stall_survey

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


def _run_error_curve(p: dict) -> RunResult:
    from seqmem.experiments.approximation import error_versus_width

    (curve,) = error_versus_width([p["spec"]], p["widths"])
    return RunResult(metrics=dataclasses.asdict(curve))


def _run_jackson_rates(p: dict) -> RunResult:
    from seqmem.experiments.approximation import jackson_rates

    return RunResult(metrics=dataclasses.asdict(jackson_rates(p["alphas"], p["widths"])))


def _run_width_needed(p: dict) -> RunResult:
    from seqmem.experiments.approximation import width_needed

    data = width_needed(p["omegas"], p["eps"], p["max_width"])
    return RunResult(metrics=dataclasses.asdict(data))


def _run_no_plateau(p: dict) -> RunResult:
    from seqmem.experiments.plateaus import no_plateau

    data = no_plateau(p["spec"], width=p["width"], final_time=p["final_time"])
    metrics, curves = data.run.record()
    metrics.update(kernel=data.kernel, best_loss=data.best_loss)
    return RunResult(metrics, curves)


def _run_lorenz(p: dict) -> RunResult:
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


def _run_approx(p: dict) -> RunResult:
    from seqmem.approximation import hankel_singular_values
    from seqmem.experiments.approximation import approximant
    from seqmem.kernels import from_spec

    kernel = from_spec(p["spec"])
    width = p["width"]
    row = approximant(kernel, width, method=p["method"], norm=p["norm"])
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


_OPTIMIZERS = ("flow", "gd", "momentum", "adam")
_SAMPLED_PARAMETERS = (
    Parameter("dt", "float", 0.1, description="sampled data: grid step"),
    Parameter("batch", "int", 32, description="sampled data: sequences per step"),
    Parameter("length", "int", 256, description="sampled data: outputs per sequence"),
)
_LOSSES = ("population", "sampled")
_MODELS = ("linear", "tanh")

EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in (
        Experiment(
            "plateau",
            "train on a target at one memory t0 and measure the plateau before the escape",
            (
                Parameter("template", "str", "exp(rate=3)+gammabump(k={t0})"),
                Parameter("memory", "float", description="t0, put in the template's {t0}"),
                Parameter("optimizer", "str", "flow", _OPTIMIZERS),
                Parameter("learning_rate", "float", None, optional=True),
                Parameter("width", "int", 4),
                Parameter("init_rates", "pair", (2.5, 3.5)),
                Parameter("init_weight", "float", 0.1),
                Parameter("seed", "int", 0),
                Parameter("escape", "float", 0.8),
                Parameter("loss", "str", "population", _LOSSES),
                Parameter("model", "str", "linear", _MODELS),
                Parameter("max_steps", "float", None, optional=True),
                *_SAMPLED_PARAMETERS,
            ),
            _run_plateau,
        ),
        Experiment(
            "train",
            "train a linear or tanh RNN on a target and record its loss curve",
            (
                Parameter("spec", "str"),
                Parameter("width", "int", 4),
                Parameter("optimizer", "str", "gd", _OPTIMIZERS),
                Parameter("learning_rate", "float", None, optional=True),
                Parameter("steps", "float", 10_000),
                Parameter("loss", "str", "population", _LOSSES),
                Parameter("model", "str", "linear", _MODELS),
                Parameter("seed", "int", 0),
                Parameter("parameterisation", "str", "exp", ("exp", "softplus", "direct")),
                Parameter("oscillating", "bool", False),
                *_SAMPLED_PARAMETERS,
            ),
            _run_train,
        ),
        Experiment(
            "stall",
            "gradient flow on a target at one memory, labelled optimisation plateau or "
            "approximation floor",
            (
                Parameter("template", "str", "exp(rate=3)+bump(t0={t0})"),
                Parameter("memory", "float"),
                Parameter("modes", "str", "real", ("real", "oscillating")),
                Parameter("width", "int", 4),
                Parameter("final_time", "float", 1e6),
            ),
            _run_stall,
        ),
        Experiment(
            "error_curve",
            "best-fit errors of one kernel against width, with the Hankel floor (paper §4)",
            (
                Parameter("spec", "str"),
                Parameter("widths", "ints", (1, 2, 3, 4, 6, 8)),
            ),
            _run_error_curve,
        ),
        Experiment(
            "jackson_rates",
            "Jackson-construction errors against width for kernels of smoothness α",
            (
                Parameter("alphas", "ints", (0, 1, 2, 3)),
                Parameter("widths", "ints", (16, 32, 64, 128)),
            ),
            _run_jackson_rates,
        ),
        Experiment(
            "width_needed",
            "the width reaching a relative L¹ error for power laws (the curse of memory)",
            (
                Parameter("omegas", "floats", (2.0, 1.0, 0.5)),
                Parameter("eps", "float", 1e-3),
                Parameter("max_width", "int", 32),
            ),
            _run_width_needed,
        ),
        Experiment(
            "no_plateau",
            "gradient flow on an exponential-sum target (no plateau expected)",
            (
                Parameter("spec", "str", "exp(rate=0.5)+exp(rate=2)"),
                Parameter("width", "int", 4),
                Parameter("final_time", "float", 1e6),
            ),
            _run_no_plateau,
        ),
        Experiment(
            "lorenz",
            "a width-m RNN trained by Adam on the Lorenz-96 target read at site j",
            (
                Parameter("read_out", "int", 2, description="the site j (memory grows with j)"),
                Parameter("model", "str", "linear", _MODELS),
                Parameter("width", "int", 32),
                Parameter("learning_rate", "float", 0.01),
                Parameter("steps", "int", 3000),
                Parameter("batch", "int", 32),
                Parameter("sequences", "int", 256),
                Parameter("length", "int", 400),
                Parameter("seed", "int", 0),
            ),
            _run_lorenz,
        ),
        Experiment(
            "approx",
            "the best width-m approximant of a kernel (or its balanced truncation)",
            (
                Parameter("spec", "str"),
                Parameter("width", "int"),
                Parameter("method", "str", "fit", ("fit", "balanced")),
                Parameter("norm", "str", "l2", ("l2", "l1")),
            ),
            _run_approx,
        ),
    )
}


def experiment(name: object) -> Experiment:
    """The experiment called ``name``."""
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise SeqmemValueError(
            f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}"
        )
    return EXPERIMENTS[name]


def _check_value(owner: str, parameter: Parameter, value: object) -> object:
    """``value`` converted to the parameter's kind, or a one-line error."""
    if value is None and parameter.optional:
        return None
    kind = parameter.kind
    where = f"parameter '{parameter.name}' of {owner}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise SeqmemValueError(f"{where} must be true or false; got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise SeqmemValueError(f"{where} must be a string; got {value!r}")
        if parameter.choices is not None and value not in parameter.choices:
            raise SeqmemValueError(
                f"{where} must be one of {', '.join(parameter.choices)}; got {value!r}"
            )
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SeqmemValueError(f"{where} must be an integer; got {value!r}")
        return value
    if kind == "float":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise SeqmemValueError(f"{where} must be a finite number; got {value!r}")
        return float(value)
    if kind in ("ints", "floats", "strs"):
        if not isinstance(value, list | tuple) or not value:
            raise SeqmemValueError(f"{where} must be a non-empty list; got {value!r}")
        item = Parameter(parameter.name, kind[:-1])
        return [_check_value(owner, item, v) for v in value]
    # "pair"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise SeqmemValueError(f"{where} must be a list of two numbers; got {value!r}")
    return [_check_value(owner, Parameter(parameter.name, "float"), v) for v in value]


def normalise(name: str, params: Mapping[str, object]) -> dict:
    """Validated parameters with defaults filled in, in the experiment's parameter order."""
    spec = experiment(name)
    owner = f"experiment '{name}'"
    unknown = sorted(set(params) - set(spec.parameter_names))
    if unknown:
        raise SeqmemValueError(
            f"unknown parameter '{unknown[0]}' for {owner}; its parameters are "
            f"{', '.join(spec.parameter_names)}"
        )
    values = {}
    for parameter in spec.parameters:
        if parameter.name in params:
            values[parameter.name] = _check_value(owner, parameter, params[parameter.name])
        elif parameter.default is REQUIRED:
            raise SeqmemValueError(f"{owner} needs the parameter '{parameter.name}'")
        else:
            default = parameter.default
            values[parameter.name] = list(default) if isinstance(default, tuple) else default
    return values


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_id(name: str, params: Mapping[str, object], version: str) -> str:
    """The content hash keying a run in the store: normalised parameters + version."""
    return _digest({"experiment": name, "params": dict(params), "version": version})[:20]


def execute(name: str, params: dict) -> RunResult:
    """Run experiment ``name`` at the (normalised) ``params``; importable by worker processes."""
    return experiment(name).run(params)
