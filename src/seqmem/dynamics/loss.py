"""The population loss of a linear RNN under unit white noise, in closed form (ICLR 2021, §5).

With white-noise inputs the expected squared output error has no sampling noise at all:

    J(θ) = E (y_t − ŷ_t)² = ∫_0^∞ (ρ(t) − ρ̂(t; θ))² dt.

For a diagonal model ρ̂ = Σ_i a_i e^{−w_i t} (weights a, decay rates w > 0):

    J = Σ_ij a_i a_j/(w_i + w_j) − 2 Σ_i a_i ℒρ(w_i) + ‖ρ‖²_{L²},
    ∂J/∂a_i = 2 Σ_j a_j/(w_i + w_j) − 2 ℒρ(w_i),
    ∂J/∂w_i = −2 a_i Σ_j a_j/(w_i + w_j)² + 2 a_i ∫_0^∞ t ρ(t) e^{−w_i t} dt,

with ℒρ and the t-weighted transform from :mod:`seqmem.kernels` (closed forms, or adaptive
quadrature for kernels without one). For a full model (W, U, c) the model part is cᵀPc,
P the controllability Gramian (W P + P Wᵀ + U Uᵀ = 0, a Lyapunov equation), and the cross
part cᵀ(∫ρ(t)e^{Wt}dt)U = Σ_i (cᵀV)_i (V⁻¹U)_i ℒρ(−λ_i) over the eigenpairs of W.

The expansion cancels: its absolute error is ~1e-16·(‖ρ‖² + (Σ|a_i|)²), so J is resolved
to that level, not relative to itself when J ≪ ‖ρ‖².
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.linalg

from seqmem._jax import jax, jnp
from seqmem.dynamics.laplace import LaplaceTransform, jax_laplace_transform
from seqmem.errors import SeqmemValueError, check_finite_array
from seqmem.kernels import Kernel
from seqmem.rnn import LinearRNN


@dataclass(frozen=True)
class PopulationLoss:
    """J and its gradient with respect to the weights a and the decay rates w."""

    value: float
    grad_weights: np.ndarray
    grad_rates: np.ndarray


def _check_diagonal(weights: object, rates: object) -> tuple[np.ndarray, np.ndarray]:
    owner = "population_loss"
    weights = check_finite_array("weights", weights, owner=owner)
    rates = check_finite_array("rates", rates, owner=owner)
    if weights.ndim != 1 or weights.shape != rates.shape or weights.size == 0:
        raise SeqmemValueError(
            f"the 'weights' and 'rates' of {owner} must be 1-d arrays of one nonzero length; "
            f"got shapes {weights.shape} and {rates.shape}"
        )
    if np.any(rates <= 0):
        raise SeqmemValueError(
            f"the 'rates' of {owner} must be > 0 (a stable model); got {rates.min():g}"
        )
    return weights, rates


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["laplace_transform", "l2_norm_squared"],
    meta_fields=[],
)
@dataclass(frozen=True)
class JaxTarget:
    """What the population loss needs of a target ρ, as a JAX pytree: ℒρ and ‖ρ‖²_{L²}.

    Passed as an argument to a jitted loop, its numbers are traced and its structure is
    static (see :func:`~seqmem.dynamics.laplace.jax_laplace_transform`): one compilation
    serves every target of the same structure.
    """

    laplace_transform: LaplaceTransform
    l2_norm_squared: jax.Array

    @classmethod
    def of(cls, kernel: Kernel) -> JaxTarget:
        return cls(
            jax_laplace_transform(kernel), jnp.asarray(kernel.l2_norm_squared(), jnp.float64)
        )


def jax_population_loss(
    target: JaxTarget,
    weights: jax.Array,
    rates: jax.Array,
    sine_weights: jax.Array | None = None,
    frequencies: jax.Array | None = None,
) -> jax.Array:
    """J(a, w[, b, ν]) in ``jnp``, for autodiff inside jitted loops (module notes).

    Real modes: ρ̂ = Σ a_i e^{−w_i t}. Oscillating modes (``sine_weights`` b and
    ``frequencies`` ν given): ρ̂ = Σ e^{−w_i t}(a_i cos ν_i t + b_i sin ν_i t) = Re Σ c_i e^{−λ_i t}
    with c = a + ib, λ = w + iν, ‖ρ̂‖² = ½ Re Σ_ij [c_i c_j/(λ_i + λ_j) + c_i c̄_j/(λ_i + λ̄_j)]
    and ⟨ρ, ρ̂⟩ = Re Σ c_i ℒρ(λ_i).

    Args:
        target: ℒρ and ‖ρ‖², :meth:`JaxTarget.of`.
        weights, rates: a and w > 0, arrays of shape (m,).
        sine_weights, frequencies: b and ν, arrays of shape (m,), or None for real modes.
    """
    laplace, norm_squared = target.laplace_transform, target.l2_norm_squared
    if sine_weights is None:
        model = weights @ (weights @ (1.0 / (rates[:, None] + rates[None, :])))
        return model - 2.0 * weights @ laplace(rates) + norm_squared
    c = weights + 1j * sine_weights
    lam = rates + 1j * frequencies
    same = c @ (c @ (1.0 / (lam[:, None] + lam[None, :])))
    conjugate = c @ (jnp.conj(c) @ (1.0 / (jnp.conj(lam)[:, None] + lam[None, :])))
    model = 0.5 * jnp.real(same + conjugate)
    return model - 2.0 * jnp.real(c @ laplace(lam)) + norm_squared


def population_loss_function(kernel: Kernel) -> Callable[..., jax.Array]:
    """J(a, w[, b, ν]) of ``kernel`` as a ``jnp`` function: :func:`jax_population_loss`
    with the target fixed."""
    return partial(jax_population_loss, JaxTarget.of(kernel))


def population_loss(kernel: Kernel, weights: object, rates: object) -> PopulationLoss:
    """J(a, w) = ‖ρ − Σ a_i e^{−w_i t}‖²_{L²} and its gradient, in closed form.

    Args:
        kernel: the target ρ.
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,).

    Example:
        >>> from seqmem.kernels import Exponential
        >>> loss = population_loss(Exponential(rate=1.0), [1.0], [1.0])
        >>> abs(loss.value) < 1e-15 and bool(np.allclose(loss.grad_rates, 0.0))
        True
    """
    weights, rates = _check_diagonal(weights, rates)
    sums = np.add.outer(rates, rates)
    gram_weights = (1.0 / sums) @ weights
    laplace = np.asarray(kernel.laplace_transform(rates), dtype=float)
    weighted = np.asarray(kernel.t_weighted_laplace_transform(rates), dtype=float)
    value = weights @ gram_weights - 2.0 * weights @ laplace + kernel.l2_norm_squared()
    return PopulationLoss(
        value=float(value),
        grad_weights=2.0 * gram_weights - 2.0 * laplace,
        grad_rates=-2.0 * weights * ((1.0 / sums**2) @ weights) + 2.0 * weights * weighted,
    )


def model_population_loss(kernel: Kernel, model: LinearRNN) -> float:
    """J = ‖ρ − cᵀe^{Wt}U‖²_{L²} for any single-input model: Lyapunov Gramian + eigenpairs."""
    if model.input_dim != 1:
        raise SeqmemValueError(
            f"model_population_loss needs one input channel; the model has d = {model.input_dim}"
        )
    if any(np.iscomplexobj(part) for part in (model.W, model.U, model.c)):
        # ŷ = Re(cᵀh): the model's kernel is the ExpSum of its modes and their conjugates
        approximant = model.to_kernel()
        return float(
            kernel.l2_norm_squared()
            - 2.0 * kernel.inner(approximant)
            + approximant.l2_norm_squared()
        )
    W = np.diag(model.W) if model.is_diagonal else model.W
    u = model.U[:, 0]
    gramian = scipy.linalg.solve_continuous_lyapunov(W, -np.outer(u, u))
    model_part = float(model.c @ gramian @ model.c)
    eigenvalues, vectors = scipy.linalg.eig(W)
    gains = (model.c @ vectors) * np.linalg.solve(vectors, u)
    rates = -eigenvalues.real if np.all(eigenvalues.imag == 0) else -eigenvalues
    cross = float(np.real(np.sum(gains * kernel.laplace_transform(rates))))
    return float(model_part - 2.0 * cross + kernel.l2_norm_squared())
