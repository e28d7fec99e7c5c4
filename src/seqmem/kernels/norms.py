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
  in closed form. Every sign change is found (:func:`seqmem.kernels.roots.exponential_sign_changes`,
  certified); the stretches where f is within its own rounding of zero, and the mass beyond
  the horizon searched, are added to the error bound.

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
from seqmem.kernels._numeric import EPS
from seqmem.kernels.roots import exponential_sign_changes, sampled_sign_changes, sampling_grid
from seqmem.kernels.scales import term_magnitude, term_time_scales

# Relative accuracy below which the exponential-sum L² sum is redone in mpmath.
_L2_TARGET = 1e-13
_MAX_HALVINGS = 12


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
    if terms is not None:
        return _exponential_l2(*terms)
    return _quadrature_norms(kernel)[1]


def norms_with_error(kernel) -> tuple[Norm, Norm]:
    """(‖ρ‖_{L¹}, ‖ρ‖_{L²}) with their error bounds, sharing one quadrature where one is needed."""
    terms = merged_exponential_terms(kernel)
    if terms is not None:
        return _exponential_l1(*terms), _exponential_l2(*terms)
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


# --- exponential sums: L¹ -------------------------------------------------------------
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


def _exponential_l2(g: np.ndarray, lam: np.ndarray) -> Norm:
    squared, error, route = exponential_l2_squared(g, lam)
    value = math.sqrt(max(squared, 0.0))
    # |√x − √y| ≤ |x − y|/(√x + √y) ≤ √|x − y|
    bound = error / value if value > 0 and error < squared else math.sqrt(error)
    return Norm(value, bound, route)


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
