"""The experiments a sweep can run: one run = one experiment at one point of a parameter grid.

Each entry names its parameters (:class:`~seqmem.experiments.parameters.Parameter`: type,
default, allowed values) so that a sweep config can be validated before anything runs, and
maps a normalised parameter dict to a :class:`~seqmem.experiments.runners.RunResult`
(:mod:`seqmem.experiments.runners`): scalar metrics (JSON-able) and curves (float arrays).
Every run is deterministic given its parameters (random ones take a ``seed`` parameter, 0
unless the config says otherwise), so the same config gives the same numbers on any number
of workers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from seqmem.errors import SeqmemValueError
from seqmem.experiments.parameters import REQUIRED, Parameter, check_value
from seqmem.experiments.runners import (
    RunResult,
    run_approx,
    run_error_curve,
    run_jackson_rates,
    run_lorenz,
    run_no_plateau,
    run_plateau,
    run_stall,
    run_train,
    run_width_needed,
)


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
            run_plateau,
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
            run_train,
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
            run_stall,
        ),
        Experiment(
            "error_curve",
            "best-fit errors of one kernel against width, with the Hankel floor (paper §4)",
            (
                Parameter("spec", "str"),
                Parameter("widths", "ints", (1, 2, 3, 4, 6, 8)),
            ),
            run_error_curve,
        ),
        Experiment(
            "jackson_rates",
            "Jackson-construction errors against width for kernels of smoothness α",
            (
                Parameter("alphas", "ints", (0, 1, 2, 3)),
                Parameter("widths", "ints", (16, 32, 64, 128)),
            ),
            run_jackson_rates,
        ),
        Experiment(
            "width_needed",
            "the width reaching a relative L¹ error for power laws (the curse of memory)",
            (
                Parameter("omegas", "floats", (2.0, 1.0, 0.5)),
                Parameter("eps", "float", 1e-3),
                Parameter("max_width", "int", 32),
            ),
            run_width_needed,
        ),
        Experiment(
            "no_plateau",
            "gradient flow on an exponential-sum target (no plateau expected)",
            (
                Parameter("spec", "str", "exp(rate=0.5)+exp(rate=2)"),
                Parameter("width", "int", 4),
                Parameter("final_time", "float", 1e6),
            ),
            run_no_plateau,
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
            run_lorenz,
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
            run_approx,
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
            values[parameter.name] = check_value(owner, parameter, params[parameter.name])
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
