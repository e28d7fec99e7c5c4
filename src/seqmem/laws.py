"""Growth laws: straight-line fits, and the exponential law weighed against the power law.

The paper's statements are about laws, not orders: a plateau *grows exponentially* with
the memory, an approximation error *falls exponentially* with the width, a width *grows
exponentially* with the memory 1/ω. Any increasing sequence is fitted well by both an
exponential and a power law over a short range (lengths e^{1.26 t₀} over t₀ = 3…7 give a
power-law r² of 0.985), so a law is confirmed only by comparing it with the alternative on
the same points:

* exponential law: log y = a + b·x (a straight line on semi-log axes);
* power law: log y = a + q·log x (a straight line on log–log axes).

Both have two parameters, so with Gaussian residuals of unknown variance the likelihood
ratio of the two least-squares fits is (RSS_power/RSS_exponential)^{n/2} (equal to the
Bayes factor under the BIC approximation, since the penalties cancel). Its log10 is
:attr:`LawComparison.log10_evidence`: positive favours the exponential law; above 2 is a
"decisive" factor of 100 on Jeffreys' scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError, check_finite_array
from seqmem.kernels._numeric import EPS


@dataclass(frozen=True)
class LineFit:
    """y ≈ intercept + slope·x by least squares.

    ``residual`` is the residual sum of squares, ``r2`` the share of the variance of y it
    explains (1 when y is constant), ``slope_stderr`` the standard error of the slope
    (√(RSS/(n−2)/Σ(x − x̄)²); NaN for n = 2).
    """

    slope: float
    intercept: float
    r2: float
    residual: float
    slope_stderr: float
    points: int


def _vectors(x: object, y: object, owner: str, minimum: int) -> tuple[np.ndarray, np.ndarray]:
    x = check_finite_array("x", x, owner=owner)
    y = check_finite_array("y", y, owner=owner)
    if x.ndim != 1 or x.shape != y.shape:
        raise SeqmemValueError(
            f"the 'x' and 'y' of {owner} must be 1-d of one length; got {x.shape} and {y.shape}"
        )
    if x.size < minimum or np.ptp(x) == 0:
        raise SeqmemValueError(
            f"{owner} needs at least {minimum} points with different x; got {x.size}"
        )
    return x, y


def line_fit(x: object, y: object) -> LineFit:
    """The least-squares line through (x, y): at least 2 points, x not all equal.

    Example:
        >>> fit = line_fit([1.0, 2.0, 3.0], [1.0, 3.0, 5.0])
        >>> round(fit.slope, 12), round(fit.intercept, 12), fit.r2
        (2.0, -1.0, 1.0)
    """
    x, y = _vectors(x, y, "line_fit", 2)
    centred = x - x.mean()
    spread = float(centred @ centred)
    slope = float(centred @ (y - y.mean())) / spread
    intercept = float(y.mean() - slope * x.mean())  # the line meets the means
    residual = float(np.sum((y - intercept - slope * x) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - residual / total if total > 0 else 1.0
    stderr = math.sqrt(residual / (x.size - 2) / spread) if x.size > 2 else math.nan
    return LineFit(slope, intercept, r2, residual, stderr, int(x.size))


@dataclass(frozen=True)
class LawComparison:
    """The exponential and the power law fitted to the same positive (x, y).

    ``exponential`` is the fit of log y on x (its slope b: y ∝ e^{bx}), ``power`` that of
    log y on log x (its slope q: y ∝ x^q); ``log10_evidence`` = (n/2)·log10(RSS_power /
    RSS_exponential), > 0 when the exponential law fits better.
    """

    exponential: LineFit
    power: LineFit
    log10_evidence: float


def compare_growth_laws(x: object, y: object) -> LawComparison:
    """Weigh y ∝ e^{bx} against y ∝ x^q on the same points (module notes).

    Args:
        x: positive abscissae, shape (n,), n ≥ 4 (two parameters per law leave two
            degrees of freedom for the residuals), not all equal.
        y: positive values, shape (n,).

    A residual sum below the rounding of log y (n·(8ε·max|log y|)²) is raised to it, so a
    perfect fit gives a large finite evidence, not an infinite one.

    Example:
        >>> t0 = np.array([3.0, 4.0, 5.0, 6.0, 7.0])
        >>> compare_growth_laws(t0, np.exp(1.3 * t0)).log10_evidence > 2
        True
        >>> compare_growth_laws(t0, t0**4).log10_evidence < -2
        True
    """
    x, y = _vectors(x, y, "compare_growth_laws", 4)
    if np.any(x <= 0) or np.any(y <= 0):
        raise SeqmemValueError("compare_growth_laws needs positive x and y (both are logged)")
    log_y = np.log(y)
    exponential, power = line_fit(x, log_y), line_fit(np.log(x), log_y)
    floor = x.size * (8 * EPS * max(1.0, float(np.max(np.abs(log_y))))) ** 2
    evidence = (
        0.5 * x.size * math.log10(max(power.residual, floor) / max(exponential.residual, floor))
    )
    return LawComparison(exponential, power, evidence)
