"""Input processes on the grid t_k = kΔ, piecewise constant on [kΔ, (k+1)Δ), all seeded.

Every generator takes ``seed`` (an int, or a ``numpy.random.Generator`` to continue a
stream) and returns a float64 array of shape ``batch + (length,)``; the same seed gives
the same numbers on every machine.

- :func:`white_noise`: unit-intensity white noise, x_k = ξ_k/√Δ, ξ_k iid N(0, 1), so that
  E[y_k²] = Σ_j K_j²/Δ → ∫_0^∞ ρ² as Δ → 0 (docs/mathematics.md §1.4).
- :func:`ornstein_uhlenbeck`: dX = −θX dt + σ dW, sampled exactly, started stationary.
- :func:`brownian_path`: W(kΔ), a Brownian motion started at 0.
- :func:`step` and :func:`impulse`: probes. The response to a unit-area impulse at k = 0
  is K_j/Δ ≈ ρ(jΔ); the response to a unit step is Σ_{i≤j} K_i ≈ ∫_0^t ρ.
- :func:`sample_function`: a deterministic x(t) sampled at the left end or midpoint of
  each cell (first- and second-order accurate, see :func:`sample_function`).

Example:
    >>> x = white_noise(1000, 0.01, seed=0, batch=(2,))
    >>> x.shape
    (2, 1000)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.signal

from seqmem.errors import SeqmemValueError, check_integer, check_positive


def _generator(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SeqmemValueError(
            f"a 'seed' must be an integer ≥ 0 or a numpy Generator; got {seed!r}"
        )
    return np.random.default_rng(int(seed))


def _shape(length: int, batch: tuple[int, ...], owner: str) -> tuple[int, ...]:
    length = check_integer("length", length, owner=owner, minimum=1)
    batch = tuple(check_integer("batch", b, owner=owner, minimum=1) for b in batch)
    return (*batch, length)


#: white noise x = s·ξ from standard normal ξ and Δ, for each input convention
INPUT_SCALINGS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "intensity": lambda xi, dt: xi / np.sqrt(dt),
    "dt": lambda xi, dt: xi * dt,
    "unit": lambda xi, dt: xi,
}


def white_noise(
    length: int,
    dt: float,
    *,
    seed: int | np.random.Generator,
    batch: tuple[int, ...] = (),
    scaling: str = "intensity",
) -> np.ndarray:
    """White noise on the grid: x_k = s·ξ_k, ξ_k iid standard normal.

    ``scaling`` picks s: "intensity" s = 1/√Δ (unit-intensity white noise, whose outputs
    have E y² → ∫ρ² as Δ → 0: this package's convention), "dt" s = Δ (inputs Δ·ξ, as in
    much published code) or "unit" s = 1.
    """
    dt = check_positive("dt", dt, owner="white_noise")
    shape = _shape(length, batch, "white_noise")
    if scaling not in INPUT_SCALINGS:
        raise SeqmemValueError(
            f"the 'scaling' of white_noise must be one of {', '.join(INPUT_SCALINGS)}; "
            f"got {scaling!r}"
        )
    return INPUT_SCALINGS[scaling](_generator(seed).standard_normal(shape), dt)


def ornstein_uhlenbeck(
    length: int,
    dt: float,
    *,
    seed: int | np.random.Generator,
    theta: float = 1.0,
    sigma: float = 1.0,
    batch: tuple[int, ...] = (),
) -> np.ndarray:
    """Coloured noise dX = −θX dt + σ dW, sampled exactly at t_k, started from N(0, σ²/2θ).

    X_{k+1} = e^{−θΔ} X_k + σ √((1 − e^{−2θΔ})/(2θ)) ξ_k; correlation E[X_t X_{t+τ}] =
    σ²/(2θ) e^{−θ|τ|}.
    """
    dt = check_positive("dt", dt, owner="ornstein_uhlenbeck")
    theta = check_positive("theta", theta, owner="ornstein_uhlenbeck")
    sigma = check_positive("sigma", sigma, owner="ornstein_uhlenbeck")
    shape = _shape(length, batch, "ornstein_uhlenbeck")
    noise = _generator(seed).standard_normal(shape)
    decay = np.exp(-theta * dt)
    innovation = sigma * np.sqrt(-np.expm1(-2 * theta * dt) / (2 * theta))
    driving = innovation * noise
    driving[..., 0] = sigma / np.sqrt(2 * theta) * noise[..., 0]
    return scipy.signal.lfilter([1.0], [1.0, -decay], driving, axis=-1)


def brownian_path(
    length: int, dt: float, *, seed: int | np.random.Generator, batch: tuple[int, ...] = ()
) -> np.ndarray:
    """A Brownian motion at the left end of each cell: x_k = W(kΔ), W(0) = 0."""
    dt = check_positive("dt", dt, owner="brownian_path")
    shape = _shape(length, batch, "brownian_path")
    increments = _generator(seed).standard_normal(shape) * np.sqrt(dt)
    path = np.cumsum(increments, axis=-1) - increments
    return path


def step(length: int, *, start: int = 0, height: float = 1.0) -> np.ndarray:
    """x_k = height for k ≥ start, 0 before."""
    length = check_integer("length", length, owner="step", minimum=1)
    start = check_integer("start", start, owner="step", minimum=0)
    x = np.zeros(length)
    x[start:] = height
    return x


def impulse(length: int, dt: float, *, at: int = 0) -> np.ndarray:
    """A unit-area impulse: x_at = 1/Δ, zero elsewhere; the response is K_{k−at}/Δ ≈ ρ."""
    dt = check_positive("dt", dt, owner="impulse")
    length = check_integer("length", length, owner="impulse", minimum=1)
    at = check_integer("at", at, owner="impulse", minimum=0)
    if at >= length:
        raise SeqmemValueError(f"the impulse position 'at' must be < length = {length}; got {at}")
    x = np.zeros(length)
    x[at] = 1.0 / dt
    return x


def sample_function(
    function: Callable[[np.ndarray], np.ndarray], length: int, dt: float, *, rule: str = "midpoint"
) -> np.ndarray:
    """Piecewise-constant samples of a smooth input x(t), t ≥ 0 (x = 0 before).

    With ``rule="left"`` (x_k = x(kΔ)) the grid output differs from the continuous
    convolution by O(Δ); with ``rule="midpoint"`` (x_k = x((k + ½)Δ)) by O(Δ²): the error
    of cell j, ∫_{I_j} ρ(s)[x(m_j) − x(t − s)] ds, has a first-order Taylor term that
    vanishes at the midpoint up to the variation of ρ over the cell.
    """
    dt = check_positive("dt", dt, owner="sample_function")
    length = check_integer("length", length, owner="sample_function", minimum=1)
    offsets = {"left": 0.0, "midpoint": 0.5}
    if rule not in offsets:
        raise SeqmemValueError(
            f"the 'rule' of sample_function must be 'left' or 'midpoint'; got {rule!r}"
        )
    t = dt * (np.arange(length) + offsets[rule])
    return np.asarray(function(t), dtype=float)
