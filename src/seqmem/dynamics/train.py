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
from dataclasses import dataclass, field

import numpy as np

from seqmem._jax import jax, jnp
from seqmem.dynamics.flow import gradient_flow
from seqmem.dynamics.loop import OPTIMIZERS, optimise, recording
from seqmem.dynamics.loss import JaxTarget, jax_population_loss
from seqmem.dynamics.plateaus import Plateau, find_plateaus
from seqmem.dynamics.sampled import (
    SampledTask,
    linear_sampled_loss,
    sampled_task,
    tanh_sampled_loss,
    white_noise_batch,
)
from seqmem.errors import SeqmemValueError, check_integer, check_positive
from seqmem.kernels import Kernel
from seqmem.reparam import parameterisation

DEFAULT_LEARNING_RATES = {"gd": 0.02, "momentum": 0.01, "adam": 0.01}
LOSSES = ("population", "sampled")
#: plateau bands of find_plateaus: sampled losses need the wider band against their noise
NOISY_BAND = 0.1
#: exact curves: the tightest band that finds a plateau. A band wider than the short-memory
#: transient (≈5 % on the reference target) merges the plateau into the initial condition,
#: which find_plateaus does not count; a band too tight misses short plateaus that drift.
EXACT_BANDS = (0.02, 0.05)


def exact_plateau_band(losses: np.ndarray, times: np.ndarray) -> float:
    """The first of ``EXACT_BANDS`` with which an exact loss curve shows a plateau."""
    for band in EXACT_BANDS[:-1]:
        if find_plateaus(losses, times, band=band):
            return band
    return EXACT_BANDS[-1]


MODELS = ("linear", "tanh")


@dataclass(frozen=True)
class TrainingRun:
    """A training curve and the parameters along it.

    Attributes:
        steps: the recorded steps (flow times τ for gradient flow), shape (n,).
        loss: the loss there (for sampled data: the mean batch loss over the block of
            steps that starts there), shape (n,).
        weights: read-out weights a at those steps, shape (n, m).
        rates: decay rates w there, shape (n, m).
        final_loss: the loss after the last step (sampled data: the last block's mean).
        plateaus: :func:`~seqmem.dynamics.plateaus.find_plateaus` of the curve.
        seconds: wall time of the run, compilation included.
        population_loss: the population loss of a linear model trained on sampled data,
            at the recorded steps (the noise-free view of the same run); else None.
    """

    steps: np.ndarray
    loss: np.ndarray
    weights: np.ndarray
    rates: np.ndarray
    final_loss: float
    plateaus: list[Plateau]
    seconds: float
    population_loss: np.ndarray | None = field(default=None)

    def record(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able metrics, arrays) for a results store; no timing, so the metrics do not
        depend on the machine (the store keeps the run's time itself)."""
        final = self.final_loss
        metrics = {
            "final_loss": final if np.isfinite(final) else None,
            "plateaus": [[p.start, p.end, p.level] for p in self.plateaus],
        }
        curves = {"steps": self.steps, "loss": self.loss, "weights": self.weights}
        curves["rates"] = self.rates
        if self.population_loss is not None:
            curves["population_loss"] = self.population_loss
        return metrics, curves

    @classmethod
    def from_record(cls, metrics: dict, curves: dict[str, np.ndarray]) -> TrainingRun:
        """The run that :meth:`record` stored (its wall time is not kept: NaN)."""
        final = metrics["final_loss"]
        return cls(
            steps=curves["steps"],
            loss=curves["loss"],
            weights=curves["weights"],
            rates=curves["rates"],
            final_loss=np.nan if final is None else float(final),
            plateaus=[Plateau(*p) for p in metrics["plateaus"]],
            seconds=np.nan,
            population_loss=curves.get("population_loss"),
        )

    def as_dict(self) -> dict:
        """{"steps", "loss", "final_loss", "plateaus", "seconds"} (``seqmem train --json``)."""
        return {
            "steps": self.steps.tolist(),
            "loss": self.loss.tolist(),
            "final_loss": self.final_loss,
            "plateaus": [p.as_dict() for p in self.plateaus],
            "seconds": self.seconds,
        }


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
    lo, hi = (float(r) for r in init_rates)
    if not 0 < lo <= hi:
        raise SeqmemValueError(
            f"the 'init_rates' of initial_parameters must satisfy 0 < low ≤ high; got {init_rates}"
        )
    rates = np.sort(np.random.default_rng(seed).uniform(lo, hi, width))
    return np.full(width, float(init_weight)), rates


def train(
    kernel: Kernel,
    width: int = 4,
    *,
    loss: str = "population",
    model: str = "linear",
    optimizer: str = "gd",
    learning_rate: float | None = None,
    steps: int | float = 10_000,
    record_every: int | None = None,
    seed: int = 0,
    init_rates: tuple[float, float] = (2.5, 3.5),
    init_weight: float = 0.1,
    rate_parameterisation: str = "exp",
    oscillating: bool = False,
    dt: float = 0.1,
    batch: int = 32,
    length: int = 256,
    flow_stop: Callable[[np.ndarray, np.ndarray], bool] | None = None,
) -> TrainingRun:
    """Train a width-m model on the target ``kernel``; see the module notes for the choices.

    Args:
        kernel: the target ρ.
        width: the number of modes m ≥ 1.
        loss: "population" (exact, white-noise expectation) or "sampled".
        model: "linear" (diagonal) or "tanh" (sampled loss only).
        optimizer: "flow", "gd", "momentum" (0.9) or "adam".
        learning_rate: step size (default per optimiser: ``DEFAULT_LEARNING_RATES``); not
            used by the flow.
        steps: optimiser steps; for the flow, the final flow time.
        record_every: steps per recorded point (default: about 1000 points in all); the
            run makes a whole number of records, ``steps`` rounded up to a multiple of it.
        seed: initial rates and, for sampled data, the noise.
        init_rates: the interval of the initial decay rates.
        init_weight: the initial read-out weights.
        rate_parameterisation: "exp", "softplus" or "direct" (:mod:`seqmem.reparam`); the
            flow always uses w = e^v.
        oscillating: modes e^{−wt}(a cos νt + b sin νt) (population loss only), starting
            from b = 0 and frequencies ν uniform in [0, 1].
        dt, batch, length: the sampled-data grid step, batch size and outputs per sequence.
        flow_stop: passed to :func:`~seqmem.dynamics.flow.gradient_flow` as ``stop``.

    Example:
        >>> from seqmem.kernels import from_spec
        >>> run = train(from_spec("exp(rate=1)"), 1, optimizer="adam", steps=2000)
        >>> bool(run.final_loss < 1e-3 * run.loss[0])
        True
    """
    owner = "train"
    started = time.perf_counter()
    _check_choice("loss", loss, LOSSES)
    _check_choice("model", model, MODELS)
    _check_choice("optimizer", optimizer, ("flow", *OPTIMIZERS))
    if model == "tanh" and loss != "sampled":
        raise SeqmemValueError("train: the tanh model has no closed-form loss; use loss='sampled'")
    if oscillating and loss == "sampled":
        raise SeqmemValueError("train: oscillating modes are trained on the population loss")
    width = check_integer("width", width, owner=owner, minimum=1)
    weights, rates = initial_parameters(
        width, init_rates=init_rates, init_weight=init_weight, seed=seed
    )
    if optimizer == "flow":
        if loss != "population":
            raise SeqmemValueError("train: gradient flow runs on the population loss only")
        final_time = check_positive("steps", steps, owner=owner)
        flow = gradient_flow(
            kernel,
            weights,
            rates,
            final_time=final_time,
            stop=flow_stop,
            oscillating=_initial_oscillation(width, seed) if oscillating else None,
        )
        return TrainingRun(
            steps=flow.times,
            loss=flow.loss,
            weights=flow.weights,
            rates=flow.rates,
            final_loss=float(flow.loss[-1]),
            plateaus=_plateaus(flow.loss, flow.times, noisy=False),
            seconds=time.perf_counter() - started,
        )

    steps = check_integer("steps", steps, owner=owner, minimum=1)
    if learning_rate is None:
        learning_rate = DEFAULT_LEARNING_RATES[optimizer]
    learning_rate = check_positive("learning_rate", learning_rate, owner=owner)
    record_every, blocks = recording(steps, record_every, owner=owner)
    reparam = parameterisation(rate_parameterisation)

    params = {"weights": jnp.asarray(weights), "raw_rates": reparam.from_rate(rates)}
    if oscillating:
        params["sine_weights"], params["frequencies"] = map(
            jnp.asarray, _initial_oscillation(width, seed)
        )
    if model == "tanh":
        params["input_weights"] = jnp.ones(width)
        params["coupling"] = jnp.zeros((width, width))

    # ℒρ (a quadrature grid for kernels without a closed form) only where J is evaluated:
    # the population loss, and the population curve of a linear model trained on samples
    target = JaxTarget.of(kernel) if loss == "population" or model == "linear" else None
    if loss == "population":
        objective, data = PopulationObjective(rate_parameterisation), target
    else:
        task = sampled_task(kernel, dt=dt, batch=batch, length=length)
        objective, data = SampledObjective(rate_parameterisation, model, task), None

    recorded, losses, final_loss, _ = optimise(
        objective,
        data,
        params,
        optimizer,
        learning_rate,
        blocks=blocks,
        record_every=record_every,
        seed=seed,
        sampled=loss == "sampled",
        owner=owner,
    )
    trained_rates = np.asarray(jax.vmap(reparam.to_rate)(recorded["raw_rates"]))
    trained_weights = np.asarray(recorded["weights"])
    steps_axis = np.arange(blocks) * record_every
    population_curve = None
    if loss == "sampled" and model == "linear":
        population_curve = np.asarray(
            jax.vmap(jax_population_loss, in_axes=(None, 0, 0))(
                target, recorded["weights"], trained_rates
            )
        )
    losses = np.asarray(losses)
    return TrainingRun(
        steps=steps_axis,
        loss=losses,
        weights=trained_weights,
        rates=trained_rates,
        final_loss=float(final_loss),
        plateaus=_plateaus(losses, steps_axis, noisy=loss == "sampled"),
        seconds=time.perf_counter() - started,
        population_loss=population_curve,
    )


def _plateaus(losses: np.ndarray, times: np.ndarray, *, noisy: bool) -> list[Plateau]:
    """find_plateaus with the band for the curve's kind (losses rounded below 0 clipped)."""
    losses = np.maximum(losses, 0.0)
    band = NOISY_BAND if noisy else exact_plateau_band(losses, times)
    return find_plateaus(losses, times, band=band)


def _initial_oscillation(width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """b = 0 and distinct frequencies ν uniform in [0, 1] (at ν = b = 0 the sine part would
    get no gradient)."""
    return np.zeros(width), np.random.default_rng(seed + 1).uniform(0, 1, width)


@dataclass(frozen=True)
class PopulationObjective:
    """θ, key ↦ J(a, f(v)[, b, ν]) for a target given as a :class:`JaxTarget` (the data)."""

    rate_parameterisation: str

    def __call__(self, target: JaxTarget, p: dict, key: jax.Array) -> jax.Array:
        del key  # exact: no data
        rates = parameterisation(self.rate_parameterisation).to_rate(p["raw_rates"])
        return jax_population_loss(
            target, p["weights"], rates, p.get("sine_weights"), p.get("frequencies")
        )


@dataclass(frozen=True)
class SampledObjective:
    """θ, key ↦ the mean squared error on a fresh white-noise batch drawn from ``key``."""

    rate_parameterisation: str
    model: str
    task: SampledTask  # hashed by value: the target's grid kernel is a compiled-in constant

    def __call__(self, data: None, p: dict, key: jax.Array) -> jax.Array:
        del data  # the target lives in the task
        x = white_noise_batch(key, self.task)
        rates = parameterisation(self.rate_parameterisation).to_rate(p["raw_rates"])
        if self.model == "linear":
            return linear_sampled_loss(self.task, p["weights"], rates, x)
        return tanh_sampled_loss(
            self.task, p["weights"], rates, p["input_weights"], p["coupling"], x
        )


def _check_choice(
    name: str, value: object, choices: tuple[str, ...], *, owner: str = "train"
) -> None:
    if value not in choices:
        raise SeqmemValueError(
            f"the '{name}' of {owner} must be one of {', '.join(choices)}; got {value!r}"
        )
