"""Norms of memory kernels, each with a bound on its own error.

‖ρ‖_{L¹} = ∫_0^∞ |ρ| is the worst-case gain of H_t(x) = ∫ ρ(s) x(t − s) ds over inputs with
|x| ≤ 1, and ‖ρ‖_{L²} = (∫_0^∞ ρ²)^{1/2} the output's standard deviation under unit white
noise (Li, Han, E, Li, ICLR 2021, §3). The error ρ − ρ̂ of an approximant is again a kernel,
so these functions are also how approximation errors are measured. Each returns a
:class:`Norm`: the value and an absolute bound on its error.

Exponential sums f(t) = Σ_k g_k e^{−λ_k t} (complex λ in conjugate pairs; every linear RNN's
kernel, and ρ − ρ̂ when ρ is one) are done without quadrature:

- ‖f‖²_{L²} = Σ_ij g_i g_j/(λ_i + λ_j). Each term is rounded by at most 8ε relative and the
  terms are added exactly (``math.fsum``), so the error is ≤ 8ε Σ_ij |g_i g_j/(λ_i + λ_j)|.
  A good fit makes that sum of magnitudes much larger than ‖f‖² (the terms cancel); when the
  bound exceeds 1e-13‖f‖², the sum is redone in mpmath with enough extra digits to cover
  the cancellation, which makes it exact for the floating-point numbers g, λ given.
- ‖f‖_{L¹} = Σ over the intervals between consecutive sign changes of |∫ f|, each integral
  in closed form. The sign changes are isolated by bisection with certified exclusion: on
  [m − r, m + r] Taylor's theorem gives |f(t) − Σ_{j<p} f^{(j)}(m)(t − m)^j/j!| ≤
  M_p r^p/p!, M_p = Σ_k |g_k||λ_k|^p e^{−Re λ_k (m − r)}, so an interval is free of roots when
  |f(m)| exceeds the rest of that expansion, and holds at most one (bracketed, then refined
  by bisection to adjacent floats) when f′ passes the same test. No sign change
  can be missed; where f is within its own rounding (≈ ε Σ|g_k|e^{−Re λ_k t}) of zero its
  sign is not defined by the data, and such stretches add 2∫|f| over them to the error
  bound. Beyond a time T where Σ_k |g_k|e^{−Re λ_k T}/Re λ_k < 1e-18 Σ_k|g_k|/Re λ_k, the
  remaining mass is added to the bound.

Other kernels (power laws, bumps, Airy, delays, callables, and their sums with exponential
sums) are integrated by tanh–sinh quadrature (``scipy.integrate.tanhsinh``) on pieces cut at
every decade of every time scale present, at the breakpoints, and at the sign changes found
on a sampling grid adapted to each term's scales; |ρ| and ρ² themselves are integrated, so a
pair of roots closer than the grid spacing makes a kink inside a piece, seen by the
quadrature's error estimate, not a wrong sign. The bound is the sum of the pieces' error
estimates plus the rounding of ρ(t) itself (4ε ∫ Σ|terms|).

Example:
    >>> from seqmem.kernels import ExpSum
    >>> norm = l1_norm_with_error(ExpSum([1.0, -2.0], [1.0, 3.0]))  # root at ln(2)/2
    >>> # ∫f = 1/3 and ∫_0^{ln2/2} f = (1 − 2^{−1/2}) − (2/3)(1 − 2^{−3/2}) < 0, so
    >>> # ‖f‖₁ = 1/3 − 2∫_0^{ln2/2} f
    >>> round(norm.value, 12), norm.error < 1e-14
    (0.609475708249, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
from scipy import integrate

from seqmem.errors import SeqmemError

EPS = float(np.finfo(float).eps)
# Relative accuracy below which the exponential-sum L² sum is redone in mpmath.
_L2_TARGET = 1e-13
# Taylor order of the exclusion test (higher = fewer bisections where terms cancel).
_ORDER = 8
_MAX_INTERVALS = 200_000
_MAX_HALVINGS = 12
# Tail mass left out of the exponential-sum L¹, relative to Σ|g_k|/Re λ_k.
_TAIL = 1e-18
# Sampling grid for the sign changes of other kernels: points per shortest feature, per
# decade of the geometric part, and the most uniform points per time scale.
_PER_FEATURE = 16
_PER_DECADE = 64
_MAX_UNIFORM = 200_000


@dataclass(frozen=True)
class Norm:
    """A norm and the accuracy it was computed to.

    Attributes:
        value: the norm.
        error: an absolute bound (exponential sums) or estimate (quadrature) of
            |value − exact|.
        route: "exponential sum", "exponential sum (mpmath)", "closed form" or "quadrature".
    """

    value: float
    error: float
    route: str

    @property
    def relative_error(self) -> float:
        """error / value (0 for an exact zero, ∞ for a zero value with an error)."""
        if self.value > 0:
            return self.error / self.value
        return 0.0 if self.error == 0 else math.inf


def l1_norm_with_error(kernel) -> Norm:
    """‖ρ‖_{L¹} = ∫_0^∞ |ρ(t)| dt with a bound on its error (see the module docstring).

    Example:
        >>> from seqmem.kernels import PowerLaw
        >>> norm = l1_norm_with_error(PowerLaw(omega=0.5) - PowerLaw(omega=0.5, tau=2.0))
        >>> abs(norm.value - 2.0) < 1e-10 + norm.error  # ∫ (ρ₂ − ρ₁) = 4 − 2, one sign
        True
    """
    terms = merged_exponential_terms(kernel)
    if terms is not None:
        return _exponential_l1(*terms)
    return _quadrature_norms(kernel)[0]


def l2_norm_with_error(kernel) -> Norm:
    """‖ρ‖_{L²} = (∫_0^∞ ρ(t)² dt)^{1/2} with a bound on its error.

    Example:
        >>> from seqmem.kernels import ExpSum
        >>> norm = l2_norm_with_error(ExpSum([1.0, -1.0], [1.0, 1.0 + 1e-9]))
        >>> norm.value  # ≈ δ/2 with δ = (1 + 1e-9) − 1 in float64: the terms cancel to 1e-19
        5.000000409951854e-10
    """
    terms = merged_exponential_terms(kernel)
    if terms is None:
        return _quadrature_norms(kernel)[1]
    squared, error, route = exponential_l2_squared(*terms)
    value = math.sqrt(max(squared, 0.0))
    # |√x − √y| ≤ |x − y|/(√x + √y) ≤ √|x − y|
    bound = error / value if value > 0 and error < squared else math.sqrt(error)
    return Norm(value, bound, route)


def norms_with_error(kernel) -> tuple[Norm, Norm]:
    """(‖ρ‖_{L¹}, ‖ρ‖_{L²}) with their error bounds, sharing one quadrature where one is needed."""
    if merged_exponential_terms(kernel) is not None:
        return l1_norm_with_error(kernel), l2_norm_with_error(kernel)
    return _quadrature_norms(kernel)


def merged_exponential_terms(kernel) -> tuple[np.ndarray, np.ndarray] | None:
    """(g, λ) with ρ = Σ g_k e^{−λ_k t}, equal rates merged and zero weights dropped, or None."""
    terms = kernel.exponential_terms()
    if terms is None:
        return None
    weights, rates = (np.asarray(a, dtype=complex) for a in terms)
    unique, inverse = np.unique(rates, return_inverse=True)
    merged = np.zeros(unique.size, dtype=complex)
    np.add.at(merged, inverse, weights)
    keep = merged != 0
    return merged[keep], unique[keep]


# --- exponential sums: L² --------------------------------------------------------------
def exponential_l2_squared(g: np.ndarray, lam: np.ndarray) -> tuple[float, float, str]:
    """(Σ_ij g_i g_j/(λ_i + λ_j), error bound, route), exact to ~1e-13 relative or better."""
    if g.size == 0:
        return 0.0, 0.0, "exponential sum"
    terms = np.outer(g, g) / np.add.outer(lam, lam)
    value = math.fsum(terms.real.ravel())
    magnitude = float(np.sum(np.abs(terms)))
    # a complex product and quotient: ≤ 8ε relative each term; fsum adds nothing
    bound = 8.0 * EPS * magnitude
    if bound <= _L2_TARGET * abs(value):
        return value, bound, "exponential sum"
    cancellation = magnitude / max(abs(value), 1e-300 * magnitude)
    digits = min(400, 20 + math.ceil(math.log10(cancellation)))
    with mpmath.workdps(digits):
        weights = [mpmath.mpc(complex(x)) for x in g]
        rates = [mpmath.mpc(complex(x)) for x in lam]
        exact = mpmath.fsum(
            wi * wj / (li + lj)
            for wi, li in zip(weights, rates, strict=True)
            for wj, lj in zip(weights, rates, strict=True)
        )
        value = float(mpmath.re(exact))
    return value, EPS * abs(value) + 10.0 ** (3 - digits) * magnitude, "exponential sum (mpmath)"


# --- exponential sums: sign changes and L¹ ----------------------------------------------
@dataclass(frozen=True)
class SignChanges:
    """Sign changes of an exponential sum on [0, ∞) and what could not be resolved.

    Attributes:
        roots: the sign changes, sorted, each to machine precision.
        horizon: T beyond which the sum was not searched (its mass there is ``tail``).
        unresolved: ∫|f| bound over the stretches where f is within rounding of zero.
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
    for _ in range(200):
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
            raise SeqmemError(
                f"isolating the sign changes of an exponential sum of {g.size} terms needed more "
                f"than {_MAX_INTERVALS} intervals at once"
            )
    else:
        raise SeqmemError("the sign changes of an exponential sum could not be isolated")

    def f(t: np.ndarray) -> np.ndarray:
        return np.real(np.exp(-np.multiply.outer(t, lam)) @ g)

    lows = np.concatenate([low for low, _ in brackets]) if brackets else np.zeros(0)
    highs = np.concatenate([high for _, high in brackets]) if brackets else np.zeros(0)
    exact = lows[(f(lows) == 0.0) & (lows > 0)]  # f(0) = 0 is no sign change on [0, ∞)
    roots = np.concatenate([exact, bisect_roots(f, lows, highs)])
    return SignChanges(np.unique(roots), horizon, unresolved, tail)


def exponential_integrals(
    g: np.ndarray, lam: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """∫_a^b Σ_k g_k e^{−λ_k t} dt for arrays a ≤ b (b may be ∞), and a bound on each error.

    Each term is g/λ e^{−λa}(1 − e^{−λ(b−a)}) (no cancellation in the tail or for short
    pieces), the terms of one piece added exactly; a term's rounding is ≤ (N + 4 + |λ|b)ε
    relative (the products λa, λ(b − a) carry |λ|b ε into the exponent).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    finite = np.isfinite(b)
    gap = np.where(finite, b - a, 0.0)
    fraction = np.where(finite[:, None], -np.expm1(-np.outer(gap, lam)), 1.0)
    pieces = (g / lam) * np.exp(-np.outer(a, lam)) * fraction
    values = np.array([math.fsum(row) for row in pieces.real])
    reach = np.abs(lam) * np.where(finite, b, a)[:, None]
    errors = np.sum(np.abs(pieces) * (g.size + 4 + reach), axis=1) * EPS
    return values, errors


def _exponential_l1(g: np.ndarray, lam: np.ndarray) -> Norm:
    if g.size == 0:
        return Norm(0.0, 0.0, "exponential sum")
    changes = exponential_sign_changes(g, lam)
    edges = np.concatenate([[0.0], changes.roots[changes.roots > 0], [np.inf]])
    values, errors = exponential_integrals(g, lam, edges[:-1], edges[1:])
    value = float(np.sum(np.abs(values)))
    bound = float(np.sum(errors)) + changes.unresolved + 2.0 * changes.tail
    return Norm(value, bound, "exponential sum")


# --- other kernels: quadrature ---------------------------------------------------------
@dataclass(frozen=True)
class TimeScale:
    """The time scales of one term of a kernel: its shortest feature, the end of its
    features, where it starts (a shift), and whether it is scale-free beyond its shortest
    feature (real exponentials, power laws: smooth in log t, so a geometric grid resolves
    it; bumps, oscillations and delays need a uniform one)."""

    short: float
    end: float
    offset: float
    scale_free: bool


def term_time_scales(kernel) -> list[TimeScale]:
    """The :class:`TimeScale` of every term of a sum, recursively (one per exponential mode)."""
    from seqmem.kernels.base import Scaled, Shifted, Sum
    from seqmem.kernels.powerlaw import PowerLaw

    if isinstance(kernel, Sum):
        return [scale for term in kernel.terms for scale in term_time_scales(term)]
    if isinstance(kernel, Scaled):
        return term_time_scales(kernel.kernel)
    if isinstance(kernel, Shifted):
        return [
            TimeScale(s.short, s.end, s.offset + kernel.delay, s.scale_free)
            for s in term_time_scales(kernel.kernel)
        ]
    terms = kernel.exponential_terms()
    if terms is not None:
        scales = []
        for rate in np.asarray(terms[1], dtype=complex):
            # an oscillating mode's feature is a quarter period, a decay's 1/|λ|
            short = 1.0 / abs(rate)
            if rate.imag != 0:
                short = min(short, np.pi / (2.0 * abs(rate.imag)))
            scales.append(TimeScale(short, 40.0 / rate.real, 0.0, rate.imag == 0))
        return scales
    short, end = kernel.time_scales()
    return [TimeScale(short, end, 0.0, isinstance(kernel, PowerLaw))]


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
    :func:`sampling_grid`), refined by bisection; roots closer than the spacing pair up
    unseen (integrate |ρ| across them, as :func:`l1_norm_with_error` does)."""
    grid = sampling_grid(kernel) if grid is None else grid
    values = kernel(grid)
    nonzero = np.flatnonzero(values != 0.0)
    flips = values[nonzero[:-1]] * values[nonzero[1:]] < 0
    return bisect_roots(kernel, grid[nonzero[:-1][flips]], grid[nonzero[1:][flips]])


def bisect_roots(fn, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """A root of ``fn`` in each bracket [lower_i, upper_i] with a sign change, all at once:
    bisection on arrays to adjacent floats (≤ 1075 halvings, typically ~55)."""
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    low_values = fn(lower)
    keep = low_values * fn(upper) < 0  # re-evaluated, values near 1e-17 may flip
    lower, upper, low_values = lower[keep], upper[keep], low_values[keep]
    for _ in range(1100):
        middle = 0.5 * (lower + upper)
        open_ = (middle > lower) & (middle < upper)
        if not np.any(open_):
            break
        values = fn(middle)
        left = values * low_values > 0  # the sign change is to the right of the middle
        lower = np.where(open_ & left, middle, lower)
        low_values = np.where(open_ & left, values, low_values)
        upper = np.where(open_ & ~left, middle, upper)
    return 0.5 * (lower + upper)


def term_magnitude(kernel, t: np.ndarray) -> np.ndarray:
    """Σ over the terms of a sum of |term(t)| (|g_k|e^{−Re λ_k t} for exponentials):
    what rounding in evaluating ρ(t) is proportional to."""
    from seqmem.kernels.base import Scaled, Sum

    if isinstance(kernel, Sum):
        return sum(term_magnitude(term, t) for term in kernel.terms)
    if isinstance(kernel, Scaled):
        return abs(kernel.factor) * term_magnitude(kernel.kernel, t)
    terms = kernel.exponential_terms()
    if terms is not None:
        weights, rates = (np.asarray(a, dtype=complex) for a in terms)
        return np.exp(-np.multiply.outer(t, rates.real)) @ np.abs(weights)
    return np.abs(kernel(t))


def _adaptive_tanhsinh(fn, edges: np.ndarray, tolerance: float) -> tuple[float, float]:
    """Σ over pieces of ∫ fn by tanh–sinh, and the sum of the error estimates.

    A piece that does not converge (a kink or a pair of close roots inside it) is halved and
    retried, up to _MAX_HALVINGS times: the trouble ends up near an endpoint, where tanh–sinh
    is at its best, or in a piece too small to matter.
    """
    lower, upper = edges[:-1], edges[1:]
    total, error = 0.0, 0.0
    for _ in range(_MAX_HALVINGS):
        result = integrate.tanhsinh(
            fn, lower, upper, rtol=1e-13, atol=tolerance / max(lower.size, 1)
        )
        done = (result.status == 0) | ~np.isfinite(upper)
        total += float(np.sum(result.integral[done]))
        error += float(np.sum(result.error[done]))
        if np.all(done):
            return total, error
        lower, upper = lower[~done], upper[~done]
        middle = 0.5 * (lower + upper)
        lower, upper = np.concatenate([lower, middle]), np.concatenate([middle, upper])
    result = integrate.tanhsinh(fn, lower, upper, rtol=1e-13, atol=tolerance / lower.size)
    return total + float(np.sum(result.integral)), error + float(np.sum(result.error))


def _quadrature_norms(kernel) -> tuple[Norm, Norm]:
    """(‖ρ‖_{L¹}, ‖ρ‖_{L²}) by tanh–sinh quadrature of |ρ| and ρ² on cut pieces."""
    grid = sampling_grid(kernel)
    decades = []
    for scale in term_time_scales(kernel):
        low = math.floor(math.log10(1e-3 * scale.short))
        high = math.ceil(math.log10(1e4 * scale.end))
        decades.append(scale.offset + 10.0 ** np.arange(low, high + 1))
    edges = np.unique(
        np.concatenate([[0.0], *decades, kernel.breakpoints(), sampled_sign_changes(kernel, grid)])
    )
    edges = np.append(edges[np.isfinite(edges) & (edges >= 0)], np.inf)
    # rounding of ρ(t): |δρ| ≤ 4ε Σ|terms| =: 4ε·μ(t); ∫μ, ∫μ² and ∫ρ² roughly (trapezoid)
    magnitude = term_magnitude(kernel, grid)
    mass = float(np.trapezoid(magnitude, grid))
    energy = float(np.trapezoid(magnitude**2, grid))
    rough_squared = float(np.trapezoid(kernel(grid) ** 2, grid))
    # quadrature asked to stay well below the rounding it cannot see through
    tolerances = (1e-3 * 4 * EPS * mass, 1e-3 * 8 * EPS * math.sqrt(energy * rough_squared))
    (l1, l1_error), (l2_squared, l2_squared_error) = (
        _adaptive_tanhsinh(lambda t, power=power: np.abs(kernel(t)) ** power, edges, tolerance)
        for power, tolerance in ((1, tolerances[0]), (2, tolerances[1]))
    )
    if not all(map(math.isfinite, (l1, l1_error, l2_squared, l2_squared_error))):
        raise SeqmemError(f"the quadrature of |{kernel.spec}| did not converge")
    l1_error += 4.0 * EPS * mass
    l2 = math.sqrt(l2_squared)
    # |√(I ± E) − √I| ≤ E/√I (or √E), then ‖ρ + δρ‖ − ‖ρ‖ ≤ ‖δρ‖ ≤ 4ε‖μ‖
    quadrature = (
        l2_squared_error / l2 if l2_squared_error < l2_squared else math.sqrt(l2_squared_error)
    )
    l2_error = quadrature + 4.0 * EPS * math.sqrt(energy)
    return Norm(l1, l1_error, "quadrature"), Norm(l2, l2_error, "quadrature")
