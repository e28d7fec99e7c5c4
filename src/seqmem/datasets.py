"""Data sets of a linear functional y = ρ * x on random inputs, in the conventions users bring.

A data set is n sequences of length L on the grid of step Δ: white-noise inputs x_k = s·ξ_k
(ξ_k iid standard normal) and targets y_k = Σ_{j≤k} K_j x_{k−j}. Two choices differ between
codes, and both are options here:

- the **sampling rule** of the weights (:func:`seqmem.functional.grid_kernel`): "cell",
  K_j = ∫_{jΔ}^{(j+1)Δ} ρ (exact for inputs held over each cell; this package's
  convention), or "left", K_j = Δ·ρ(jΔ) (the left-point Riemann sum);
- the **input scaling** s (:func:`seqmem.signals.white_noise`): "intensity", s = 1/√Δ
  (unit-intensity white noise), "dt", s = Δ, or "unit", s = 1.

The linear-functional task of the curse-of-memory follow-up code (inputs Δ·ξ, targets
Σ_j ρ(jΔ) x_{k−j}, Δ = 1, ρ(t) = e^{−t} or (1 + 0.1t)^{−1.1}) is ``rule="left",
input_scaling="dt"`` at Δ = 1; at another Δ its targets are these divided by Δ (its sum
leaves out the cell width).

Example:
    >>> from seqmem.kernels import from_spec
    >>> x, y = linear_functional_data(from_spec("exp(rate=1)"), 4, 100, dt=1.0,
    ...                               rule="left", input_scaling="dt", seed=0)
    >>> x.shape, y.shape
    ((4, 100), (4, 100))
    >>> bool(abs(y[0, 1] - (x[0, 1] + x[0, 0] * np.exp(-1.0))) < 1e-15)
    True
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from seqmem._jax import jnp
from seqmem.errors import SeqmemValueError, check_choice, check_integer
from seqmem.functional import SAMPLING_RULES, causal_convolution, grid_kernel
from seqmem.kernels import Kernel
from seqmem.signals import INPUT_SCALINGS, white_noise


def linear_functional_data(
    kernel: Kernel,
    sequences: int,
    length: int,
    dt: float,
    *,
    rule: str = "cell",
    input_scaling: str = "intensity",
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """n white-noise input sequences and the functional's outputs on them (module notes).

    Args:
        kernel: the memory kernel ρ.
        sequences: n ≥ 1.
        length: L ≥ 1, samples per sequence.
        dt: the grid step Δ > 0.
        rule: the sampling rule, "cell" or "left".
        input_scaling: "intensity" (ξ/√Δ), "dt" (Δ·ξ) or "unit" (ξ).
        seed: the seed of the inputs (or a NumPy Generator to continue a stream).

    Returns:
        (x, y), arrays of shape (n, L); inputs held over each cell, y_k at the end of cell k.
    """
    owner = "linear_functional_data"
    if not isinstance(kernel, Kernel):
        raise SeqmemValueError(
            f"the 'kernel' of {owner} must be a seqmem Kernel; got {type(kernel).__name__}"
        )
    sequences = check_integer("sequences", sequences, owner=owner, minimum=1)
    check_choice("rule", rule, SAMPLING_RULES, owner=owner)
    check_choice("input_scaling", input_scaling, tuple(INPUT_SCALINGS), owner=owner)
    weights = grid_kernel(kernel, dt, length, rule=rule)
    x = white_noise(length, dt, seed=seed, batch=(sequences,), scaling=input_scaling)
    return x, _convolve(weights, x)


#: longest sequences convolved by a Toeplitz matrix product (O(n L²)) rather than FFTs
#: (O(n L log L)); at L = 100 the product is 3–5× faster than the FFTs on 2 cores
TOEPLITZ_MAX_LENGTH = 256


def _convolve(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y_k = Σ_{j≤k} K_j x_{k−j} for every row of x."""
    length = x.shape[-1]
    if length > TOEPLITZ_MAX_LENGTH:
        return np.asarray(causal_convolution(jnp.asarray(weights), jnp.asarray(x)))
    # T[i, k] = K_{k−i} for k ≥ i: row i of x spreads x_i over the later outputs
    upper = scipy.linalg.toeplitz(np.concatenate([weights[:1], np.zeros(length - 1)]), weights)
    return x @ upper
