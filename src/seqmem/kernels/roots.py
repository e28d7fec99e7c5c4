"""The sign changes of a memory kernel on [0, ∞): where |ρ| must be cut to be integrated.

Exponential sums f(t) = Σ_k g_k e^{−λ_k t}: every sign change, certified. The sign changes are
isolated by bisection with an exclusion test: on [m − r, m + r] Taylor's theorem gives
|f(t) − Σ_{j<p} f^{(j)}(m)(t − m)^j/j!| ≤ M_p r^p/p!, M_p = Σ_k |g_k||λ_k|^p e^{−Re λ_k (m − r)},
so an interval is free of roots when |f(m)| exceeds the rest of that expansion, and holds at
most one (bracketed, then refined to machine precision) when f′ passes the same
test. Where f is within its own rounding of zero its sign is not defined by the data; those
stretches and the tail beyond a horizon T are reported as bounds on ∫|f|.

Other kernels: sign changes between the samples of a grid adapted to every time scale of every
term (:func:`sampling_grid`); two roots closer than its spacing can pair up unseen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import elementwise

from seqmem.kernels._numeric import EPS
from seqmem.kernels.scales import term_time_scales

# Taylor order of the exclusion test (higher = fewer bisections where terms cancel).
_ORDER = 8
# Past either, the intervals still undecided are bounded, not searched (SignChanges.unresolved).
_MAX_INTERVALS = 200_000
_MAX_BISECTIONS = 200
# Tail mass left beyond the horizon, relative to Σ|g_k|/Re λ_k.
_TAIL = 1e-18
# Sampling grid for the sign changes of other kernels: points per shortest feature, per
# decade of the geometric part, and the most uniform points per time scale.
_PER_FEATURE = 16
_PER_DECADE = 64
_MAX_UNIFORM = 200_000


@dataclass(frozen=True)
class SignChanges:
    """Sign changes of an exponential sum on [0, ∞) and what could not be resolved.

    Attributes:
        roots: the sign changes, sorted, each to machine precision.
        horizon: T beyond which the sum was not searched (its mass there is ``tail``).
        unresolved: ∫|f| bound over the stretches where f is within rounding of zero, and
            over those left unsearched when isolating every sign change would take more than
            200 000 intervals at once (Σ_k |g_k|∫e^{−Re λ_k t} there).
        tail: Σ_k |g_k| e^{−Re λ_k T}/Re λ_k ≥ ∫_T^∞ |f|.
    """

    roots: np.ndarray
    horizon: float
    unresolved: float
    tail: float


def exponential_sign_changes(g: np.ndarray, lam: np.ndarray) -> SignChanges:
    """Every sign change of f(t) = Σ_k g_k e^{−λ_k t} on [0, T] (module docstring)."""
    g, lam = np.asarray(g, dtype=complex), np.asarray(lam, dtype=complex)
    decay, size = lam.real, np.abs(g)
    scale = np.sum(size / decay)
    # each term's mass beyond T below _TAIL·scale/N
    horizon = float(
        np.max(np.log(np.maximum(size / decay * g.size / (_TAIL * scale), 1.0)) / decay)
    )
    tail = float(np.sum(size * np.exp(-decay * horizon) / decay))
    fastest = float(np.max(np.abs(lam)))
    start = min(1.0 / (16.0 * fastest), horizon / 2)
    edges = np.unique(
        np.concatenate([[0.0], np.geomspace(start, horizon, 8 + int(np.log2(horizon / start)))])
    )
    lower, upper = edges[:-1], edges[1:]
    powers = np.arange(_ORDER + 1)
    factorials = np.array([math.factorial(j) for j in powers], dtype=float)
    brackets, unresolved = [], 0.0
    noise_factor = (g.size + 4) * EPS
    for _ in range(_MAX_BISECTIONS):
        if lower.size == 0:
            break
        middle, radius = 0.5 * (lower + upper), 0.5 * (upper - lower)
        phase = np.exp(-np.outer(middle, lam))  # (n, N)
        # derivatives f^{(j)}(m) = Σ g (−λ)^j e^{−λm}, j = 0..p
        signed = g * (-lam)[None, :] ** powers[:, None]  # (p+1, N)
        derivatives = np.real(phase @ signed.T)  # (n, p+1)
        envelope = np.exp(-np.outer(lower, decay)) * size  # |g| e^{−Re λ a}
        moments = envelope @ (np.abs(lam)[None, :] ** powers[:, None]).T  # M_j on the interval
        noise = (
            noise_factor
            * (np.abs(phase) * size * (1.0 + np.abs(np.outer(upper, lam))))
            @ (np.abs(lam)[None, :] ** powers[:, None]).T
        )  # rounding of each f^{(j)}(m)
        steps = radius[:, None] ** powers / factorials  # r^j/j!
        value_rest = (
            np.sum((np.abs(derivatives[:, 1:_ORDER]) + noise[:, 1:_ORDER]) * steps[:, 1:_ORDER], 1)
            + moments[:, _ORDER] * steps[:, _ORDER]
            + noise[:, 0]
        )
        slope_rest = (
            np.sum(
                (np.abs(derivatives[:, 2:_ORDER]) + noise[:, 2:_ORDER]) * steps[:, 1 : _ORDER - 1],
                1,
            )
            + moments[:, _ORDER] * steps[:, _ORDER - 1]
            + noise[:, 1]
        )
        value, slope = np.abs(derivatives[:, 0]), np.abs(derivatives[:, 1])
        free = value > value_rest
        monotone = ~free & (slope > slope_rest)
        # |f| ≤ value + value_rest on the interval: within a few times its own rounding there
        # (f is zero to working precision), or the interval is at the float resolution
        level = value + value_rest
        rounding = noise[:, 0] + np.sum(noise[:, 1:_ORDER] * steps[:, 1:_ORDER], 1)
        flat = ~free & ~monotone & ((level <= 4.0 * rounding) | (radius <= 4 * EPS * upper))
        unresolved += float(np.sum(4.0 * radius[flat] * level[flat]))
        if np.any(monotone):
            brackets.append((lower[monotone], upper[monotone]))
        split = ~free & ~monotone & ~flat
        lower = np.concatenate([lower[split], middle[split]])
        upper = np.concatenate([middle[split], upper[split]])
        if lower.size > _MAX_INTERVALS:
            break
    # what is left (too many sign changes to isolate, e.g. a slowly decaying oscillation of
    # negligible weight): not searched; ∫|f| there ≤ ∫ Σ|g_k|e^{−Re λ_k t}, reported as a bound
    envelope = (size / decay) * (np.exp(-np.outer(lower, decay)) - np.exp(-np.outer(upper, decay)))
    unresolved += 2.0 * float(np.sum(envelope))  # |∫ over a piece| can miss 2∫|f| there

    def f(t: np.ndarray) -> np.ndarray:
        return np.real(np.exp(-np.multiply.outer(t, lam)) @ g)

    lows = np.concatenate([low for low, _ in brackets]) if brackets else np.zeros(0)
    highs = np.concatenate([high for _, high in brackets]) if brackets else np.zeros(0)
    exact = lows[(f(lows) == 0.0) & (lows > 0)]  # f(0) = 0 is no sign change on [0, ∞)
    roots = np.concatenate([exact, bracketed_roots(f, lows, highs)])
    return SignChanges(np.unique(roots), horizon, unresolved, tail)


def sampling_grid(kernel) -> np.ndarray:
    """Sample times resolving every term of ρ (:func:`term_time_scales`).

    For each term a geometric grid of ``_PER_DECADE`` points per decade from 10⁻³ of its
    shortest feature to 10⁴ times the end of its features and, unless it is scale-free, a
    uniform grid of ``_PER_FEATURE`` points per shortest feature over its features (at most
    200 000 points); and the breakpoints.
    """
    parts = [np.asarray(kernel.breakpoints(), dtype=float), [0.0]]
    for scale in term_time_scales(kernel):
        decades = np.log10(1e7 * scale.end / scale.short)
        parts.append(
            scale.offset
            + np.geomspace(1e-3 * scale.short, 1e4 * scale.end, int(_PER_DECADE * decades))
        )
        if not scale.scale_free:
            count = int(min(_MAX_UNIFORM, max(2, _PER_FEATURE * scale.end / scale.short)))
            parts.append(scale.offset + np.linspace(0.0, scale.end, count))
    grid = np.unique(np.concatenate(parts))
    return grid[np.isfinite(grid) & (grid >= 0)]


def sampled_sign_changes(kernel, grid: np.ndarray | None = None) -> np.ndarray:
    """Sign changes of ρ between consecutive samples of ``grid`` (default
    :func:`sampling_grid`), refined to machine precision; roots closer than the spacing pair up
    unseen (integrate |ρ| across them, as :func:`l1_norm_with_error` does)."""
    grid = sampling_grid(kernel) if grid is None else grid
    values = kernel(grid)
    nonzero = np.flatnonzero(values != 0.0)
    flips = values[nonzero[:-1]] * values[nonzero[1:]] < 0
    return bracketed_roots(kernel, grid[nonzero[:-1][flips]], grid[nonzero[1:][flips]])


def bracketed_roots(fn, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """A root of the elementwise ``fn`` in each bracket [lower_i, upper_i] that has a sign
    change, all at once (``scipy.optimize.elementwise.find_root``, to machine precision)."""
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    keep = fn(lower) * fn(upper) < 0  # re-evaluated, values near 1e-17 may flip
    if not np.any(keep):
        return np.zeros(0)
    return elementwise.find_root(fn, (lower[keep], upper[keep])).x
