"""Training linear and tanh RNNs on given sequence data (ICLR 2021, §5).

:func:`seqmem.dynamics.train` draws fresh white noise and computes the target from a known
kernel; here the data are fixed arrays (x, y) of shape (n, L) on the grid of
:mod:`seqmem.functional` (x_k holds on [kΔ, (k+1)Δ), y_k is the output at the end of cell
k), e.g. the Lorenz-96 target of :func:`seqmem.lorenz.lorenz_dataset` (docs/mathematics.md §4.8, our
choice), for which Li, Han, E and Li (ICLR 2021, §5) report training curves of linear and
tanh RNNs. Each optimiser step draws a mini-batch of B of the n sequences (without
replacement, with ``jax.random`` inside the jitted loop of
:func:`seqmem.dynamics.loop.optimise`) and minimises

    ℓ(θ) = (1/(B (L − b))) Σ_{sequences} Σ_{k=b}^{L−1} (y_k − ŷ_k)²,

b the burn-in (outputs that still remember the unknown state before x_0). The models run
from rest over the whole sequence:

- linear: ρ̂(t) = Σ_i a_i e^{−w_i t}, ŷ_k = Σ_{j≤k} K̂_j x_{k−j} with the exact cell integrals
  K̂_j = ∫_{jΔ}^{(j+1)Δ} ρ̂ (:func:`~seqmem.dynamics.sampled.diagonal_grid_kernel`), by one
  zero-padded real-FFT convolution over the full sequence;
- tanh: h_k = tanh(e^{−wΔ} ⊙ h_{k−1} + C h_{k−1} + u ⊙ (1 − e^{−wΔ})/w · x_k), ŷ_k = aᵀh_k
  (:func:`~seqmem.dynamics.sampled.tanh_outputs`, BPTT through ``jax.lax.scan``).

Rates are w = f(v) for a named parameterisation (:mod:`seqmem.reparam`).

**Initial rates (our choice).** A diagonal model needs a spread of time scales, so the w_i
are log-spaced (geometric) over ``init_rates`` = (0.05, 5) by default: w = 5 is half a cell
(wΔ = 0.5, the fastest decay the grid resolves at Δ = 0.1), w = 0.05 a memory of 20 time
units (200 cells, the longest the Lorenz-96 read-outs need: centroid 14.7 at j = 24). The
read-out weights start at a_i = 0.01 (u = 1, C = 0 for tanh), so the initial output is small
against standardised data. The uniform draw in a narrow interval of
:func:`~seqmem.dynamics.train.initial_parameters` suits the single-scale reference
experiment of docs/mathematics.md §4.4, not data; pass e.g. ``init_rates=(2.5, 3.5)`` for a
short-memory start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import numpy as np

from seqmem._jax import jax, jnp
from seqmem.dynamics.loop import OPTIMIZERS, optimise, recording
from seqmem.dynamics.sampled import diagonal_grid_kernel, tanh_outputs
from seqmem.dynamics.train import MODELS, TrainingRun, _check_choice, _plateaus
from seqmem.errors import (
    SeqmemValueError,
    check_finite_array,
    check_integer,
    check_positive,
    check_real,
)
from seqmem.functional import causal_convolution
from seqmem.reparam import parameterisation

#: default interval of the log-spaced initial decay rates (see the module notes)
DEFAULT_INIT_RATES = (0.05, 5.0)
#: default initial read-out weight a_i
DEFAULT_INIT_WEIGHT = 0.01


def initial_data_parameters(
    width: int,
    *,
    model: str = "linear",
    init_rates: tuple[float, float] = DEFAULT_INIT_RATES,
    init_weight: float = DEFAULT_INIT_WEIGHT,
) -> dict[str, np.ndarray]:
    """The starting point of :func:`train_on_data`, in physical units.

    w_i = w_lo (w_hi/w_lo)^{i/(m−1)} (log-spaced, increasing), a_i = ``init_weight``, and for
    tanh u = 1, C = 0.

    Returns:
        {"weights": a, "rates": w} (shape (m,)), plus "input_weights" (m,) and "coupling"
        (m, m) for tanh.

    Example:
        >>> initial_data_parameters(3, init_rates=(0.1, 10.0))["rates"].tolist()
        [0.1, 1.0, 10.0]
    """
    owner = "initial_data_parameters"
    width = check_integer("width", width, owner=owner, minimum=1)
    _check_choice("model", model, MODELS, owner=owner)
    try:
        low, high = (check_positive("init_rates", r, owner=owner) for r in init_rates)
    except (TypeError, ValueError) as error:
        if isinstance(error, SeqmemValueError):
            raise
        raise SeqmemValueError(
            f"the 'init_rates' of {owner} must be a pair (low, high); got {init_rates!r}"
        ) from None
    if low > high:
        raise SeqmemValueError(
            f"the 'init_rates' of {owner} must satisfy 0 < low ≤ high; got {init_rates}"
        )
    init_weight = check_real("init_weight", init_weight, owner=owner)
    parameters = {"weights": np.full(width, init_weight), "rates": np.geomspace(low, high, width)}
    if model == "tanh":
        parameters["input_weights"] = np.ones(width)
        parameters["coupling"] = np.zeros((width, width))
    return parameters


def train_on_data(
    x: object,
    y: object,
    width: int = 32,
    *,
    model: str = "linear",
    optimizer: str = "adam",
    learning_rate: float = 0.01,
    steps: int = 2000,
    batch: int = 32,
    burn_in: int = 0,
    dt: float = 0.1,
    record_every: int | None = None,
    seed: int = 0,
    init_rates: tuple[float, float] = DEFAULT_INIT_RATES,
    init_weight: float = DEFAULT_INIT_WEIGHT,
    rate_parameterisation: str = "exp",
) -> TrainingRun:
    """Fit a width-m linear or tanh RNN to sequences (x, y) by mini-batch training.

    Minimises ℓ(θ) = mean over B random sequences and k ≥ b of (y_k − ŷ_k)² (module
    notes), B drawn afresh each step; the loop is
    :func:`seqmem.dynamics.loop.optimise` (one jitted ``lax.scan``, optax optimiser).

    Args:
        x: inputs, array of shape (n, L) (x_k holds on [kΔ, (k+1)Δ)).
        y: targets, array of shape (n, L) (y_k at the end of cell k), finite.
        width: m ≥ 1 hidden units.
        model: "linear" (diagonal, ρ̂ = Σ a_i e^{−w_i t}) or "tanh".
        optimizer: "gd", "momentum" or "adam" (``seqmem.dynamics.loop.OPTIMIZERS``).
        learning_rate: the step size > 0.
        steps: optimiser steps ≥ 1 (rounded up to a whole number of records).
        batch: B, sequences per step, 1 ≤ B ≤ n (B = n: full-batch training).
        burn_in: b, 0 ≤ b < L, leading outputs left out of the loss.
        dt: the grid step Δ > 0 (rates are per unit time).
        record_every: steps per recorded point (default: about 1000 points).
        seed: the PRNG seed of the mini-batches.
        init_rates, init_weight: the start, :func:`initial_data_parameters`.
        rate_parameterisation: "exp" (w = e^v), "softplus" or "direct" (:mod:`seqmem.reparam`).

    Returns:
        a :class:`~seqmem.dynamics.train.TrainingRun`: ``loss`` the block means of the
        mini-batch loss, ``weights``/``rates`` (a, w) at each block start, ``final_loss``
        the loss of the final parameters on all n sequences, ``plateaus`` found with the
        noisy-curve band (none below 3 records).

    Raises:
        SeqmemValueError: on bad shapes or values, or a loss that turns NaN/inf.

    Example:
        >>> import numpy as np
        >>> from seqmem.rnn import LinearRNN
        >>> x = np.random.default_rng(0).standard_normal((8, 200)) / np.sqrt(0.1)
        >>> y = LinearRNN.from_rates([1.0], [1.0]).outputs(x, 0.1)
        >>> run = train_on_data(x, y, 2, batch=4, steps=500, burn_in=50, learning_rate=0.05)
        >>> bool(run.final_loss < 1e-3 * np.var(y))
        True
    """
    owner = "train_on_data"
    started = time.perf_counter()
    x, y, width, batch, burn_in = _check_data(owner, x, y, width, batch, burn_in)
    _check_choice("model", model, MODELS, owner=owner)
    _check_choice("optimizer", optimizer, tuple(OPTIMIZERS), owner=owner)
    learning_rate = check_positive("learning_rate", learning_rate, owner=owner)
    steps = check_integer("steps", steps, owner=owner, minimum=1)
    dt = check_positive("dt", dt, owner=owner)
    record_every, blocks = recording(steps, record_every, owner=owner)
    reparam = parameterisation(rate_parameterisation)
    start = initial_data_parameters(
        width, model=model, init_rates=init_rates, init_weight=init_weight
    )
    params = {k: jnp.asarray(v) for k, v in start.items() if k != "rates"}
    params["raw_rates"] = reparam.from_rate(start["rates"])

    objective = DataObjective(rate_parameterisation, model, batch, burn_in, dt)
    data = (jnp.asarray(x), jnp.asarray(y))
    recorded, losses, _, final_params = optimise(
        objective,
        data,
        params,
        optimizer,
        learning_rate,
        blocks=blocks,
        record_every=record_every,
        seed=seed,
        sampled=True,
        owner=owner,
    )
    final_loss = float(_full_data_loss(objective, final_params, *data))
    losses = np.asarray(losses)
    steps_axis = np.arange(blocks) * record_every
    return TrainingRun(
        steps=steps_axis,
        loss=losses,
        weights=np.asarray(recorded["weights"]),
        rates=np.asarray(jax.vmap(reparam.to_rate)(recorded["raw_rates"])),
        final_loss=final_loss,
        plateaus=_plateaus(losses, steps_axis, noisy=True) if blocks >= 3 else [],
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class DataObjective:
    """θ, key ↦ ℓ(θ) on a mini-batch of ``batch`` sequences drawn from ``key`` (module notes).

    Hashable, so that :func:`~seqmem.dynamics.loop.optimise` compiles one loop for every
    data set of the same shape; the data (x, y) are its traced argument.
    """

    rate_parameterisation: str
    model: str
    batch: int
    burn_in: int
    dt: float

    def __call__(self, data: tuple[jax.Array, jax.Array], p: dict, key: jax.Array) -> jax.Array:
        inputs, targets = data
        chosen = jax.random.choice(key, inputs.shape[0], shape=(self.batch,), replace=False)
        return self.loss_on(p, inputs[chosen], targets[chosen])

    def loss_on(self, p: dict, x: jax.Array, y: jax.Array) -> jax.Array:
        """ℓ(θ) on the sequences (x, y), outputs before the burn-in left out."""
        rates = parameterisation(self.rate_parameterisation).to_rate(p["raw_rates"])
        if self.model == "linear":
            kernel = diagonal_grid_kernel(p["weights"], rates, self.dt, x.shape[-1])
            predicted = causal_convolution(kernel, x)
        else:
            predicted = tanh_outputs(
                p["weights"], rates, p["input_weights"], p["coupling"], x, self.dt
            )
        return jnp.mean((y - predicted)[:, self.burn_in :] ** 2)


@partial(jax.jit, static_argnums=0)
def _full_data_loss(objective: DataObjective, p: dict, x: jax.Array, y: jax.Array) -> jax.Array:
    return objective.loss_on(p, x, y)


def _check_data(owner: str, x: object, y: object, width: object, batch: object, burn_in: object):
    x = check_finite_array("x", x, owner=owner)
    y = check_finite_array("y", y, owner=owner)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise SeqmemValueError(
            f"the inputs 'x' of {owner} must have shape (n, L) with n, L ≥ 1; got {x.shape}"
        )
    if y.shape != x.shape:
        raise SeqmemValueError(
            f"the targets 'y' of {owner} must have the shape of x, {x.shape}; got {y.shape}"
        )
    count, length = x.shape
    width = check_integer("width", width, owner=owner, minimum=1)
    batch = check_integer("batch", batch, owner=owner, minimum=1)
    if batch > count:
        raise SeqmemValueError(
            f"the 'batch' of {owner} must be ≤ the number of sequences n = {count}; got {batch}"
        )
    burn_in = check_integer("burn_in", burn_in, owner=owner, minimum=0)
    if burn_in >= length:
        raise SeqmemValueError(
            f"the 'burn_in' of {owner} must be < the sequence length L = {length} (some "
            f"outputs must enter the loss); got {burn_in}"
        )
    return x, y, width, batch, burn_in
