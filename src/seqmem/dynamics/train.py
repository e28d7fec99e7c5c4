"""Training linear and tanh RNNs on a memory target: one entry point, strategies passed in.

:func:`train` runs one of

- **gradient flow** dθ/dτ = −∇J on the population loss (LSODA, :mod:`seqmem.dynamics.flow`),
  recorded against flow time τ;
- **GD, momentum, Adam** (optax) on the population loss
  J(θ) = ∫_0^∞ (ρ − ρ̂)² = Σ_ij a_i a_j/(w_i + w_j) − 2 Σ_i a_i ℒρ(w_i) + ‖ρ‖²
  (ICLR 2021, §5), with complex-pair modes when ``oscillating`` (ρ̂ = Re Σ c_i e^{−λ_i t},
  ‖ρ̂‖² = ½ Re Σ_ij [c_i c_j/(λ_i + λ_j) + c_i c̄_j/(λ_i + λ̄_j)], ⟨ρ, ρ̂⟩ = Re Σ c_i ℒρ(λ_i));
- the same optimisers on **sampled data**: a fresh batch of unit-intensity white noise every
  step, for the linear model (FFT convolution) or the tanh RNN (``lax.scan``, BPTT), see
  :mod:`seqmem.dynamics.sampled`.

The discrete optimisers run inside one jitted loop (:func:`seqmem.dynamics.loop.optimise`),
on the objectives :class:`PopulationObjective` and :class:`SampledObjective`. Decay rates
are w = f(v) for a named parameterisation f (:mod:`seqmem.reparam`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import optax

from seqmem._jax import jax
from seqmem.dynamics.flow import gradient_flow
from seqmem.dynamics.loop import Optimizer, optimise, recording, resolve_optimizer
from seqmem.dynamics.loss import JaxTarget, jax_population_loss
from seqmem.dynamics.run import TrainingRun, curve_plateaus
from seqmem.dynamics.sampled import (
    SampledTask,
    kernel_sampled_loss,
    sampled_task,
    tanh_sampled_loss,
    white_noise_batch,
)
from seqmem.dynamics.trainable import Trainable, check_init_rates, trainable
from seqmem.errors import SeqmemValueError, check_choice, check_integer, check_positive
from seqmem.kernels import Kernel
from seqmem.reparam import Parameterisation, parameterisation
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

DEFAULT_LEARNING_RATES = {"gd": 0.02, "momentum": 0.01, "adam": 0.01}
#: default budget: optimiser steps, and the final time of the gradient flow (whose
#: plateaus at long memory last 10⁵ time units, docs/mathematics.md §4.4)
DEFAULT_STEPS = 10_000
DEFAULT_FLOW_TIME = 1e6
LOSSES = ("population", "sampled")
MODELS = ("linear", "tanh")


def initial_parameters(
    width: int,
    *,
    init_rates: tuple[float, float] = (2.5, 3.5),
    init_weight: float = 0.1,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """a_i = ``init_weight``; w_i drawn uniformly in ``init_rates`` (sorted, distinct), as in
    the reference experiment of docs/mathematics.md §4.4. The same seed gives the same rates."""
    width = check_integer("width", width, owner="initial_parameters", minimum=1)
    lo, hi = check_init_rates(init_rates, owner="initial_parameters")
    rates = np.sort(np.random.default_rng(seed).uniform(lo, hi, width))
    return np.full(width, float(init_weight)), rates


def train(
    kernel: Kernel,
    width: int | LinearRNN | TanhRNN = 4,
    *,
    loss: str = "population",
    model: str = "linear",
    optimizer: Optimizer = "gd",
    learning_rate: float | optax.Schedule | None = None,
    schedule: str = "constant",
    steps: int | float | None = None,
    record_every: int | None = None,
    seed: int = 0,
    init_rates: tuple[float, float] = (2.5, 3.5),
    init_weight: float = 0.1,
    rate_parameterisation: str | Parameterisation = "exp",
    oscillating: bool = False,
    dt: float = 0.1,
    batch: int = 32,
    length: int = 256,
    flow_stop: Callable[[np.ndarray, np.ndarray], bool] | None = None,
) -> TrainingRun:
    """Train a model on the target ``kernel``; see the module notes for the choices.

    Args:
        kernel: the target ρ.
        width: the number of modes m ≥ 1, or the model to start from: a
            :class:`~seqmem.rnn.LinearRNN` (diagonal real or complex: any loss; dense: sampled
            loss) or a :class:`~seqmem.tanh_rnn.TanhRNN` (sampled loss). A model object
            sets ``model`` and ``oscillating`` itself.
        loss: "population" (exact, white-noise expectation) or "sampled".
        model: with a width: "linear" (diagonal) or "tanh" (sampled loss only).
        optimizer: "flow", "gd", "momentum" (0.9), "adam", or any optax
            ``GradientTransformation`` (AdamW, a chain with clipping, …; its rate inside it).
        learning_rate: step size, or an optax schedule (default per optimiser:
            ``DEFAULT_LEARNING_RATES``); not used by the flow or an optax optimiser.
        schedule: "constant" or "cosine" (the named optimiser's rate decays to 0 at ``steps``).
        steps: optimiser steps (a whole number, ``DEFAULT_STEPS`` by default); for the flow,
            the final flow time (``DEFAULT_FLOW_TIME``).
        record_every: steps per recorded point (default: about 1000 points in all); the
            run makes a whole number of records, ``steps`` rounded up to a multiple of it.
        seed: initial rates and, for sampled data, the noise.
        init_rates: the interval of the initial decay rates (with a width).
        init_weight: the initial read-out weights (with a width).
        rate_parameterisation: the rate map w = f(v), a name ("exp", "softplus", "direct")
            or a :class:`~seqmem.reparam.Parameterisation`; the flow always uses w = e^v.
        oscillating: with a width, modes e^{−wt}(a cos νt + b sin νt), starting from b = 0
            and frequencies ν uniform in [0, 1].
        dt, batch, length: the sampled-data grid step, batch size and outputs per sequence.
        flow_stop: passed to :func:`~seqmem.dynamics.flow.gradient_flow` as ``stop``.

    Returns:
        a :class:`TrainingRun`; ``run.model`` is the trained model.

    Example:
        >>> import optax
        >>> from seqmem.kernels import from_spec
        >>> run = train(from_spec("exp(rate=1)"), 1, optimizer="adam", steps=2000)
        >>> bool(run.final_loss < 1e-3 * run.loss[0])
        True
        >>> clipped = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(0.01))
        >>> run = train(from_spec("exp(rate=1)"), run.model, optimizer=clipped, steps=500)
        >>> bool(run.final_loss < 1e-6)
        True
    """
    owner = "train"
    started = time.perf_counter()
    check_choice("loss", loss, LOSSES, owner=owner)
    check_choice("model", model, MODELS, owner=owner)
    structure, theta = trainable(
        _starting_model(width, model, oscillating, init_rates, init_weight, seed),
        rate_parameterisation,
    )
    if structure.kind in ("tanh", "dense") and loss != "sampled":
        raise SeqmemValueError(
            f"train: a {structure.kind} model has no closed-form loss; use loss='sampled'"
        )
    if optimizer == "flow":
        final_time = DEFAULT_FLOW_TIME if steps is None else steps
        return _flow_run(kernel, structure, theta, loss, final_time, flow_stop, started)

    if steps is None:
        steps = DEFAULT_STEPS
    if isinstance(steps, float) and steps.is_integer():
        steps = int(steps)  # 1e4 from a command line is a whole number of steps
    steps = check_integer("steps", steps, owner=owner, minimum=1)
    if learning_rate is None and isinstance(optimizer, str):
        learning_rate = DEFAULT_LEARNING_RATES.get(optimizer)
    optimizer, learning_rate = resolve_optimizer(
        optimizer, learning_rate, schedule, steps, owner=owner
    )
    record_every, blocks = recording(steps, record_every, owner=owner)

    # ℒρ (a quadrature grid for kernels without a closed form) only where J is evaluated:
    # the population loss, and the population curve of a diagonal model trained on samples
    modal = structure.kind in ("diagonal", "complex")
    target = JaxTarget.of(kernel) if modal else None
    if loss == "population":
        objective, data = PopulationObjective(structure), target
    else:
        task = sampled_task(kernel, dt=dt, batch=batch, length=length)
        objective, data = SampledObjective(structure, task), None

    recorded, losses, final_loss, final_theta = optimise(
        objective,
        data,
        theta,
        optimizer,
        learning_rate,
        blocks=blocks,
        record_every=record_every,
        seed=seed,
        sampled=loss == "sampled",
        owner=owner,
    )
    weights, rates = _recorded_modes(structure, recorded)
    steps_axis = np.arange(blocks) * record_every
    population_curve = None
    if loss == "sampled" and modal:
        population_curve = np.asarray(
            jax.vmap(PopulationObjective(structure), in_axes=(None, 0, None))(
                target, recorded, None
            )
        )
    losses = np.asarray(losses)
    return TrainingRun(
        steps=steps_axis,
        loss=losses,
        weights=weights,
        rates=rates,
        final_loss=float(final_loss),
        plateaus=curve_plateaus(losses, steps_axis, noisy=loss == "sampled"),
        seconds=time.perf_counter() - started,
        population_loss=population_curve,
        model=trained_model(structure, final_theta, owner=owner),
    )


def _starting_model(
    width: int | LinearRNN | TanhRNN,
    model: str,
    oscillating: bool,
    init_rates: tuple[float, float],
    init_weight: float,
    seed: int,
) -> LinearRNN | TanhRNN:
    """The model object to start from: the one given, or :func:`initial_parameters`'."""
    if isinstance(width, LinearRNN | TanhRNN):
        return width
    width = check_integer("width", width, owner="train", minimum=1)
    weights, rates = initial_parameters(
        width, init_rates=init_rates, init_weight=init_weight, seed=seed
    )
    if model == "tanh":
        if oscillating:
            raise SeqmemValueError("train: oscillating modes belong to the linear model")
        return TanhRNN.from_rates(rates, weights)
    if oscillating:
        sine_weights, frequencies = _initial_oscillation(width, seed)
        return LinearRNN(-(rates + 1j * frequencies), np.ones(width), weights + 1j * sine_weights)
    return LinearRNN.from_rates(rates, weights)


def _flow_run(
    kernel: Kernel,
    structure: Trainable,
    theta: dict,
    loss: str,
    steps: float,
    flow_stop: Callable[[np.ndarray, np.ndarray], bool] | None,
    started: float,
) -> TrainingRun:
    """Gradient flow on the population loss from a diagonal (real or complex) start."""
    if loss != "population":
        raise SeqmemValueError("train: gradient flow runs on the population loss only")
    final_time = check_positive("steps", steps, owner="train")
    rates = np.asarray(structure.rates(theta))
    oscillating = structure.kind == "complex"
    flow = gradient_flow(
        kernel,
        np.asarray(theta["weights"]),
        rates,
        final_time=final_time,
        stop=flow_stop,
        oscillating=(
            (np.asarray(theta["sine_weights"]), np.asarray(theta["frequencies"]))
            if oscillating
            else None
        ),
    )
    final = {"weights": flow.weights[-1], "raw_rates": np.log(flow.rates[-1])}
    if oscillating:
        final |= {"sine_weights": flow.sine_weights[-1], "frequencies": flow.frequencies[-1]}
    return TrainingRun(
        steps=flow.times,
        loss=flow.loss,
        weights=flow.weights,
        rates=flow.rates,
        final_loss=float(flow.loss[-1]),
        plateaus=curve_plateaus(flow.loss, flow.times, noisy=False),
        seconds=time.perf_counter() - started,
        model=Trainable(structure.kind, parameterisation("exp")).model(final),
    )


def _recorded_modes(
    structure: Trainable, recorded: dict
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(a, w) at each record, shape (n, m) each; None for a dense model."""
    if structure.kind == "dense":
        return None, None
    rates = jax.vmap(structure.rate_map.to_rate)(recorded["raw_rates"])
    return np.asarray(recorded["weights"]), np.asarray(rates)


def trained_model(structure: Trainable, theta: dict, *, owner: str) -> LinearRNN | TanhRNN:
    """The model object of the trained θ, or a one-line error if training made it invalid
    (a dense W pushed unstable, a rate rounded to 0)."""
    try:
        return structure.model(theta)
    except SeqmemValueError as error:
        raise SeqmemValueError(f"{owner}: the trained model is not valid: {error}") from None


def _initial_oscillation(width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """b = 0 and distinct frequencies ν uniform in [0, 1] (at ν = b = 0 the sine part would
    get no gradient)."""
    return np.zeros(width), np.random.default_rng(seed + 1).uniform(0, 1, width)


@dataclass(frozen=True)
class PopulationObjective:
    """θ, key ↦ J(a, f(v)[, b, ν]) of a diagonal model, the target a :class:`JaxTarget`."""

    structure: Trainable

    def __call__(self, target: JaxTarget, p: dict, key: jax.Array | None) -> jax.Array:
        del key  # exact: no data
        return jax_population_loss(
            target,
            p["weights"],
            self.structure.rates(p),
            p.get("sine_weights"),
            p.get("frequencies"),
        )


@dataclass(frozen=True)
class SampledObjective:
    """θ, key ↦ the mean squared error on a fresh white-noise batch drawn from ``key``."""

    structure: Trainable
    task: SampledTask  # hashed by value: the target's grid kernel is a compiled-in constant

    def __call__(self, data: None, p: dict, key: jax.Array) -> jax.Array:
        del data  # the target lives in the task
        x = white_noise_batch(key, self.task)
        if self.structure.is_linear:
            model = self.structure.grid_kernel(p, self.task.dt, self.task.sequence_length)
            return kernel_sampled_loss(self.task, model, x)
        rates = self.structure.rates(p)
        return tanh_sampled_loss(
            self.task, p["weights"], rates, p["input_weights"], p["coupling"], x
        )
