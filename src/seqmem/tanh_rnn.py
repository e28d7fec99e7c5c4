"""The tanh RNN: the zero-order-hold linear RNN with a tanh on its state update (ICLR 2021, §5).

On the grid of :mod:`seqmem.functional` (step Δ, x_k held on [kΔ, (k+1)Δ)) the model is

    h_k = tanh(diag(e^{−wΔ}) h_{k−1} + C h_{k−1} + u ⊙ (1 − e^{−wΔ})/w · x_k),
    h_{−1} = 0,   ŷ_k = aᵀh_k,

with decay rates w > 0, input weights u, a coupling C (m × m) and read-out weights a. With
tanh replaced by the identity, u = 1 and C = 0 it is the exact zero-order-hold recurrence of
the diagonal linear RNN ρ̂(t) = Σ_i a_i e^{−w_i t} (:meth:`seqmem.rnn.LinearRNN.from_rates`),
and for inputs of size ε, tanh(z) = z − z³/3 + … makes ŷ/ε differ from it by O(ε²).

Example:
    >>> import numpy as np
    >>> model = TanhRNN.from_rates(rates=[1.0], weights=[1.0])
    >>> y = model.outputs(np.array([1e-6, 0.0]), dt=1.0)
    >>> bool(np.allclose(y, 1e-6 * (1 - np.exp(-1.0)) * np.exp(-np.arange(2.0))))
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from seqmem._jax import jax, jnp
from seqmem.errors import SeqmemValueError, check_finite_array, check_positive
from seqmem.functional import check_signal


@dataclass(frozen=True, eq=False)
class TanhRNN:
    """A width-m tanh RNN with one input channel and one output (module notes).

    Args:
        rates: decay rates w > 0, array of shape (m,).
        weights: read-out weights a, array of shape (m,).
        input_weights: u, array of shape (m,).
        coupling: C, array of shape (m, m).

    Raises:
        SeqmemValueError: on wrong shapes, non-finite entries or a rate ≤ 0.
    """

    rates: np.ndarray
    weights: np.ndarray
    input_weights: np.ndarray
    coupling: np.ndarray

    def __post_init__(self) -> None:
        owner = "TanhRNN"
        rates = check_finite_array("rates", self.rates, owner=owner)
        if rates.ndim != 1 or rates.size == 0:
            raise SeqmemValueError(
                f"the 'rates' of {owner} must have shape (m,) with m ≥ 1; got {rates.shape}"
            )
        width = rates.size
        if np.any(rates <= 0):
            raise SeqmemValueError(
                f"the 'rates' of {owner} must be > 0 (a decaying state); got {rates.min():g}"
            )
        for name, shape in (
            ("weights", (width,)),
            ("input_weights", (width,)),
            ("coupling", (width, width)),
        ):
            value = check_finite_array(name, getattr(self, name), owner=owner)
            if value.shape != shape:
                raise SeqmemValueError(
                    f"the {name!r} of {owner} must have shape {shape}; got {value.shape}"
                )
            object.__setattr__(self, name, value)
        object.__setattr__(self, "rates", rates)

    @classmethod
    def from_rates(
        cls,
        rates: object,
        weights: object,
        input_weights: object | None = None,
        coupling: object | None = None,
    ) -> TanhRNN:
        """The tanh RNN with rates w and read-out a; u = 1 and C = 0 unless given."""
        width = np.shape(rates)[0] if np.ndim(rates) == 1 else 0
        return cls(
            rates,
            weights,
            np.ones(width) if input_weights is None else input_weights,
            np.zeros((width, width)) if coupling is None else coupling,
        )

    @property
    def width(self) -> int:
        """m, the number of hidden units."""
        return self.rates.shape[0]

    def parameters(self) -> dict[str, np.ndarray]:
        """{"rates", "weights", "input_weights", "coupling"}: the arrays defining the model."""
        return {
            "rates": self.rates,
            "weights": self.weights,
            "input_weights": self.input_weights,
            "coupling": self.coupling,
        }

    def outputs(self, x: object, dt: float) -> np.ndarray:
        """ŷ_k on inputs x of shape (..., length) run from rest; shape (..., length)."""
        x = check_signal(x, owner="TanhRNN.outputs")
        dt = check_positive("dt", dt, owner="TanhRNN.outputs")
        arrays = (jnp.asarray(self.weights), jnp.asarray(self.rates))
        extra = (jnp.asarray(self.input_weights), jnp.asarray(self.coupling))
        return np.asarray(tanh_outputs(*arrays, *extra, jnp.asarray(x), dt))


#: above this many stored states (B·N·m) the backward pass recomputes blocks of √N steps
#: instead of keeping every state: 2²⁴ float64 = 128 MiB
STORED_STATES_LIMIT = 2**24


def _recurrent_outputs(
    activation, weights, rates, input_weights, coupling, x: jax.Array, dt: float
) -> jax.Array:
    """h_k = σ(e^{−wΔ} ⊙ h_{k−1} + C h_{k−1} + u ⊙ (1 − e^{−wΔ})/w · x_k), ŷ_k = aᵀh_k.

    Reverse-mode differentiation of a scan keeps every state, B·N·m numbers. Above
    ``STORED_STATES_LIMIT`` the scan runs over blocks of ⌈√N⌉ steps with each block under
    ``jax.checkpoint``: the backward pass keeps the block-start states and recomputes one
    block at a time (O(B·m·√N) memory for one more forward pass), so no (B, N, m) array
    is formed. The outputs and gradients are the same either way.
    """
    decay = jnp.exp(-rates * dt)
    drive = input_weights * -jnp.expm1(-rates * dt) / rates
    leading = jnp.shape(x)[:-1]
    inputs = jnp.reshape(x, (-1, jnp.shape(x)[-1])).T  # (N, B)
    steps, sequences = inputs.shape

    def step(state, x_k):
        state = activation(state * decay + state @ coupling.T + x_k[:, None] * drive)
        return state, state @ weights

    def run(state, block_inputs):
        return jax.lax.scan(step, state, block_inputs)

    start = jnp.zeros((sequences, weights.shape[0]), dtype=jnp.result_type(x, rates))
    if steps * sequences * weights.shape[0] <= STORED_STATES_LIMIT:
        _, outputs = run(start, inputs)
    else:
        block = math.isqrt(steps - 1) + 1  # ⌈√N⌉
        blocks = -(-steps // block)
        # zeros appended at the end change no earlier output (the recurrence is causal)
        padded = jnp.pad(inputs, ((0, blocks * block - steps), (0, 0)))
        _, outputs = jax.lax.scan(
            jax.checkpoint(run), start, padded.reshape(blocks, block, sequences)
        )
        outputs = outputs.reshape(blocks * block, sequences)[:steps]
    return outputs.T.reshape(*leading, steps)


def tanh_outputs(
    weights: jax.Array,
    rates: jax.Array,
    input_weights: jax.Array,
    coupling: jax.Array,
    x: jax.Array,
    dt: float,
) -> jax.Array:
    """Outputs of the tanh RNN, the ZOH linear RNN with a tanh on the state update.

        h_k = tanh(diag(e^{−wΔ}) h_{k−1} + C h_{k−1} + u ⊙ (1 − e^{−wΔ})/w · x_k),
        h_{−1} = 0,   ŷ_k = aᵀh_k,

    by ``jax.lax.scan`` over time with a (B, m) state. With tanh → identity, u = 1, C = 0
    it is the exact ZOH recurrence of ρ̂ = Σ a_i e^{−w_i t}, ŷ_k = Σ_{j≤k} K̂_j x_{k−j}; for
    inputs of size ε, tanh(z) = z − z³/3 + … makes ŷ/ε differ from that by O(ε²).

    Args:
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,).
        input_weights: u, array of shape (m,).
        coupling: C, array of shape (m, m).
        x: inputs, array of shape (..., N).
        dt: the grid step Δ.

    Returns:
        ŷ, array of shape (..., N).
    """
    return _recurrent_outputs(jnp.tanh, weights, rates, input_weights, coupling, x, dt)
