"""Model objects as trainable parameters: the map both ways, and the outputs as pure JAX.

An optimiser updates a dictionary of unconstrained arrays θ; the user holds a model object.
A :class:`Trainable` is the (static, hashable) structure that connects them:

- ``"diagonal"``: a real diagonal :class:`~seqmem.rnn.LinearRNN`, ρ̂(t) = Σ_i a_i e^{−w_i t};
  θ = {a ("weights"), v ("raw_rates")} with w = f(v) for the rate map f (:mod:`seqmem.reparam`).
- ``"complex"``: a complex diagonal LinearRNN, ρ̂(t) = Σ_i e^{−w_i t}(a_i cos ν_i t + b_i sin ν_i t)
  = Re Σ_i (a_i + i b_i) e^{−(w_i + iν_i)t}, i.e. W = −(w + iν), U = 1, c = a + ib;
  θ = {a, b ("sine_weights"), v, ν ("frequencies")}.
- ``"dense"``: a real dense LinearRNN, θ = {W, U, c} as they are (no rate map; stability is
  checked when the trained model is built).
- ``"tanh"``: a :class:`~seqmem.tanh_rnn.TanhRNN`, θ = {a, v, u ("input_weights"),
  C ("coupling")}.

For the linear kinds the outputs on the grid of :mod:`seqmem.functional` are the causal
convolution ŷ_k = Σ_{j≤k} K̂_j x_{k−j} with the cell integrals K̂_j = ∫_{jΔ}^{(j+1)Δ} ρ̂ (the
zero-order-hold recurrence, exactly): for diagonal modes
K̂_j = Re Σ_i g_i e^{−λ_i jΔ}(1 − e^{−λ_iΔ})/λ_i with g = a + ib, λ = w + iν; for a dense W,
K̂_j = cᵀA^jB with [[A, B], [0, I]] = exp([[W, U], [0, 0]]Δ).

Example:
    >>> import numpy as np
    >>> from seqmem.rnn import LinearRNN
    >>> structure, theta = trainable(LinearRNN.from_rates([1.0, 2.0], [0.5, 0.5]), "exp")
    >>> structure.kind, sorted(theta)
    ('diagonal', ['raw_rates', 'weights'])
    >>> structure.model(theta).eigenvalues.tolist()
    [-1.0, -2.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmem._jax import jax, jnp
from seqmem.dynamics.sampled import diagonal_grid_kernel
from seqmem.errors import SeqmemValueError, check_positive
from seqmem.functional import causal_convolution
from seqmem.reparam import Parameterisation, parameterisation
from seqmem.rnn import LinearRNN, dense_grid_kernel
from seqmem.tanh_rnn import TanhRNN, tanh_outputs

KINDS = ("diagonal", "complex", "dense", "tanh")
#: the model names a trainer accepts with a width, and the kind each starts as
MODEL_NAMES = {"linear": "diagonal", "complex": "complex", "dense": "dense", "tanh": "tanh"}


@dataclass(frozen=True)
class Trainable:
    """The structure of a model under training: its kind and its rate map (module notes).

    Hashable, so objectives holding it compile once per structure; the numbers are θ.
    """

    kind: str
    rate_map: Parameterisation

    @property
    def is_linear(self) -> bool:
        return self.kind != "tanh"

    def model(self, theta: dict) -> LinearRNN | TanhRNN:
        """The model object with parameters θ (NumPy arrays, validated by its class)."""
        p = {name: np.asarray(value) for name, value in theta.items()}
        if self.kind == "dense":
            return LinearRNN(p["W"], p["U"], p["c"])
        rates = np.asarray(self.rate_map.to_rate(p["raw_rates"]))
        if self.kind == "diagonal":
            return LinearRNN.from_rates(rates, p["weights"])
        if self.kind == "complex":
            gains = p["weights"] + 1j * p["sine_weights"]
            return LinearRNN(-(rates + 1j * p["frequencies"]), np.ones(rates.size), gains)
        return TanhRNN(rates, p["weights"], p["input_weights"], p["coupling"])

    def rates(self, theta: dict) -> jax.Array | None:
        """The decay rates w = f(v), or None for a dense model (it has no rate parameter)."""
        return None if self.kind == "dense" else self.rate_map.to_rate(theta["raw_rates"])

    def grid_kernel(self, theta: dict, dt: float, length: int) -> jax.Array:
        """K̂_j, j < length, of a linear kind (module notes); shape (length,)."""
        if self.kind == "dense":
            A, B = _dense_discretisation(theta["W"], theta["U"], dt)
            return dense_grid_kernel(A, B, theta["c"], length)[:, 0]
        rates, weights = self.rates(theta), theta["weights"]
        if self.kind == "complex":
            rates = rates + 1j * theta["frequencies"]
            weights = weights + 1j * theta["sine_weights"]
        return diagonal_grid_kernel(weights, rates, dt, length)

    def outputs(self, theta: dict, x: jax.Array, dt: float) -> jax.Array:
        """ŷ on inputs x of shape (..., length), from rest; pure and differentiable in θ."""
        if self.is_linear:
            return causal_convolution(self.grid_kernel(theta, dt, x.shape[-1]), x)
        return tanh_outputs(
            theta["weights"], self.rates(theta), theta["input_weights"], theta["coupling"], x, dt
        )


def _dense_discretisation(W: jax.Array, U: jax.Array, dt: float) -> tuple[jax.Array, jax.Array]:
    """(A, B) = the blocks of exp([[W, U], [0, 0]]Δ), as in LinearRNN.discretize."""
    m = W.shape[0]
    U = U.reshape(m, -1)
    d = U.shape[1]
    block = jnp.zeros((m + d, m + d)).at[:m, :m].set(W).at[:m, m:].set(U)
    exponential = jax.scipy.linalg.expm(block * dt)
    return exponential[:m, :m], exponential[:m, m:]


def trainable(
    model: LinearRNN | TanhRNN, rate_map: str | Parameterisation = "exp"
) -> tuple[Trainable, dict[str, jax.Array]]:
    """(structure, θ) of a model object: the starting point of a trainer.

    Args:
        model: a :class:`~seqmem.rnn.LinearRNN` (diagonal real, diagonal complex or dense,
            one input channel) or a :class:`~seqmem.tanh_rnn.TanhRNN`.
        rate_map: the rate parameterisation w = f(v), by name or object
            (:mod:`seqmem.reparam`); not used by a dense model.

    Raises:
        SeqmemValueError: for another object, several input channels, or a complex
            diagonal model whose gains c_i U_i cannot be split (U must be real and 1 per mode
            after scaling: any c, U are folded into c ⊙ U).
    """
    rate_map = rate_map if isinstance(rate_map, Parameterisation) else parameterisation(rate_map)
    if isinstance(model, TanhRNN):
        theta = {
            "weights": model.weights,
            "raw_rates": rate_map.from_rate(model.rates),
            "input_weights": model.input_weights,
            "coupling": model.coupling,
        }
        return Trainable("tanh", rate_map), _as_jax(theta)
    if not isinstance(model, LinearRNN):
        raise SeqmemValueError(
            f"a starting model must be a LinearRNN or a TanhRNN; got {type(model).__name__}"
        )
    if model.input_dim != 1:
        raise SeqmemValueError(
            f"training takes one input channel; this LinearRNN has d = {model.input_dim}"
        )
    if not model.is_diagonal:
        return Trainable("dense", rate_map), _as_jax({"W": model.W, "U": model.U, "c": model.c})
    gains = model.c * model.U[:, 0]  # only c ⊙ U enters the kernel of a diagonal model
    rates = -model.W.real
    theta = {"weights": gains.real, "raw_rates": rate_map.from_rate(rates)}
    if np.iscomplexobj(model.W) or np.iscomplexobj(gains):
        theta |= {"sine_weights": gains.imag, "frequencies": -model.W.imag}
        return Trainable("complex", rate_map), _as_jax(theta)
    return Trainable("diagonal", rate_map), _as_jax(theta)


def _as_jax(theta: dict) -> dict[str, jax.Array]:
    return {name: jnp.asarray(value, dtype=jnp.float64) for name, value in theta.items()}


def check_init_rates(init_rates: object, *, owner: str) -> tuple[float, float]:
    """The interval (low, high) of initial decay rates, 0 < low ≤ high."""
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
    return low, high


def initial_model(
    width: int,
    model: str = "linear",
    *,
    init_rates: tuple[float, float],
    init_weight: float,
    seed: int = 0,
) -> LinearRNN | TanhRNN:
    """A width-m starting model of a named kind with log-spaced rates.

    w_i = w_lo (w_hi/w_lo)^{i/(m−1)} (increasing), a_i = ``init_weight``; for "tanh" u = 1,
    C = 0; for "complex" b = 0 and frequencies ν_i uniform in [0, 1] (seeded: at ν = b = 0 the
    oscillation would get no gradient); for "dense" W = −diag(w), U = 1, c = a (a dense
    matrix that starts diagonal). Arguments are validated by the caller.
    """
    rates = np.geomspace(init_rates[0], init_rates[1], width)
    weights = np.full(width, float(init_weight))
    if model == "tanh":
        return TanhRNN.from_rates(rates, weights)
    if model == "dense":
        return LinearRNN(-np.diag(rates), np.ones(width), weights)
    if model == "complex":
        frequencies = np.random.default_rng(seed + 1).uniform(0.0, 1.0, width)
        return LinearRNN(-(rates + 1j * frequencies), np.ones(width), weights + 0j)
    return LinearRNN.from_rates(rates, weights)
