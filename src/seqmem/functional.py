"""Linear functionals on a time grid: H_t(x) = ∫_0^∞ ρ(s) x(t − s) ds, computed exactly.

Discretisation convention (docs/mathematics.md §1.3, used everywhere so that targets and models
agree): grid t_k = kΔ, input piecewise constant on [kΔ, (k+1)Δ), x(t) = 0 for t < 0.
The output at the end of step k, t = (k+1)Δ, is then exactly

    y_k = Σ_{j=0}^{k} K_j x_{k−j},        K_j = ∫_{jΔ}^{(j+1)Δ} ρ(s) ds,

a causal discrete convolution, evaluated here by FFT in O(L log L) for any kernel.
A linear RNN's zero-order-hold recurrence yields the same K_j for its kernel ρ̂.

Example:
    >>> import numpy as np
    >>> from seqmem.kernels import Exponential
    >>> y = target_outputs(Exponential(rate=1.0), np.ones(4), dt=0.5)
    >>> bool(np.allclose(y, 1 - np.exp(-0.5 * np.arange(1, 5))))  # step response 1 − e^{−t}
    True
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from seqmem._jax import jax, jnp
from seqmem.errors import (
    SeqmemValueError,
    check_choice,
    check_finite_array,
    check_integer,
    check_positive,
)
from seqmem.kernels import Kernel

#: how a kernel becomes grid weights: the exact cell integral, or the left-point Riemann sum
SAMPLING_RULES = ("cell", "left")


def grid_kernel(kernel: Kernel, dt: float, length: int, *, rule: str = "cell") -> np.ndarray:
    """The grid weights K_j, j = 0..length−1; shape (length,).

    - ``rule="cell"``: K_j = ∫_{jΔ}^{(j+1)Δ} ρ, exact for a piecewise-constant input (the
      convention of this package: targets and the models' zero-order-hold outputs agree);
    - ``rule="left"``: K_j = Δ·ρ(jΔ), the left-point Riemann sum much published code uses
      (first-order accurate in Δ; it needs ρ finite at every grid point, 0 included).

    Args:
        kernel: the memory kernel ρ.
        dt: the grid step Δ > 0.
        length: number of weights L ≥ 1.
        rule: "cell" or "left".
    """
    dt = check_positive("dt", dt, owner="grid_kernel")
    length = check_integer("length", length, owner="grid_kernel", minimum=1)
    check_choice("rule", rule, SAMPLING_RULES, owner="grid_kernel")
    if rule == "left":
        values = np.asarray(kernel(dt * np.arange(length, dtype=float)), dtype=float)
        if not np.all(np.isfinite(values)):
            first = int(np.flatnonzero(~np.isfinite(values))[0])
            raise SeqmemValueError(
                f"the left-point rule needs ρ finite on the grid; {kernel.spec} is "
                f"{values[first]} at t = {first * dt:g}: use rule='cell'"
            )
        return dt * values
    edges = dt * np.arange(length + 1, dtype=float)
    return np.asarray(kernel.integrate(edges[:-1], edges[1:]), dtype=float)


def fft_length(length: int) -> int:
    """A fast real-FFT size ≥ 2·length − 1, so that circular convolution equals linear."""
    return scipy.fft.next_fast_len(2 * length - 1, real=True)


@jax.jit
def causal_convolution(weights: jax.Array, x: jax.Array) -> jax.Array:
    """y_k = Σ_{j≤k} K_j x_{k−j} by zero-padded real FFTs (differentiable in both arguments).

    Args:
        weights: K, array of shape (length,), or (length, d) for d input channels.
        x: input, array of shape (..., length), or (..., length, d) (channels summed).

    Returns:
        array of shape (..., length).
    """
    if weights.ndim == 1:
        length = x.shape[-1]
        size = fft_length(length)
        spectrum = jnp.fft.rfft(weights, n=size) * jnp.fft.rfft(x, n=size)
    else:
        length = x.shape[-2]
        size = fft_length(length)
        spectra = jnp.fft.rfft(weights, n=size, axis=0) * jnp.fft.rfft(x, n=size, axis=-2)
        spectrum = jnp.sum(spectra, axis=-1)  # one inverse FFT for all channels
    return jnp.fft.irfft(spectrum, n=size)[..., :length]


def check_signal(x: object, *, owner: str) -> np.ndarray:
    """Validate a sampled input: a finite float array with at least one time step."""
    x = check_finite_array("input", x, owner=owner)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise SeqmemValueError(
            f"the input of {owner} must have shape (..., length) with length ≥ 1; got {x.shape}"
        )
    return x


def target_outputs(kernel: Kernel, x: object, dt: float, *, rule: str = "cell") -> np.ndarray:
    """Outputs y_k = Σ_{j≤k} K_j x_{k−j} of the functional with kernel ρ.

    Args:
        kernel: the memory kernel ρ.
        x: input samples, array of shape (..., length) (x_k holds on [kΔ, (k+1)Δ)).
        dt: the grid step Δ > 0.
        rule: the weights K_j of :func:`grid_kernel`: "cell" (exact: y_k is H_t(x) at
            t = (k+1)Δ) or "left" (Δ·ρ(jΔ)).

    Returns:
        array of shape (..., length).
    """
    x = check_signal(x, owner="target_outputs")
    weights = grid_kernel(kernel, dt, x.shape[-1], rule=rule)
    return np.asarray(causal_convolution(jnp.asarray(weights), jnp.asarray(x)))
