"""How fast approximation errors fall with the width, and the width a target error needs.

The curse of memory (ICLR 2021, §4) is a statement about rates: for kernels with
exponentially decaying memory the best width-m error falls exponentially in m
(error ≈ C e^{−cm}); for power-law memory ρ ~ t^{−(1+ω)} it falls only algebraically
(error ≈ C m^{−p}) or sub-exponentially, so the width needed for an error ε grows fast as
the memory 1/ω grows. :func:`rate_fit` classifies a measured error curve by least squares
in both forms (:func:`resolved_rate_fit` first drops the unresolved points, and reports no
rate when fewer than three remain); :func:`width_for` searches the smallest sufficient width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.approximation.fit import NORMS, best_fit
from seqmem.errors import SeqmemValueError, check_finite_array, check_integer, check_positive
from seqmem.kernels import Kernel
from seqmem.laws import line_fit


@dataclass(frozen=True)
class RateFit:
    """error ≈ C e^{−exponent·m} ("exponential") or C m^{−exponent} ("algebraic")."""

    kind: str
    exponent: float
    r2: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "exponent": self.exponent, "r2": self.r2}


def rate_fit(widths: object, errors: object) -> RateFit:
    """Classify how ``errors`` fall with ``widths``: exponential or algebraic, whichever fits.

    Fits log(error) against m (exponential) and against log m (algebraic) by least
    squares and keeps the form with the larger r². Errors that are not positive (exact
    fits) are dropped.

    Args:
        widths: m values, array of shape (n,), n ≥ 3 after dropping.
        errors: the errors at those widths, shape (n,).

    Example:
        >>> rate_fit([1, 2, 3, 4], [1e-1, 1e-2, 1e-3, 1e-4]).kind
        'exponential'
    """
    widths = check_finite_array("widths", widths, owner="rate_fit")
    errors = check_finite_array("errors", errors, owner="rate_fit")
    if widths.shape != errors.shape or widths.ndim != 1:
        raise SeqmemValueError(
            f"the 'widths' and 'errors' of rate_fit must be 1-d of one length; got "
            f"{widths.shape} and {errors.shape}"
        )
    keep = errors > 0
    if np.count_nonzero(keep) < 3 or np.any(widths[keep] < 1):
        raise SeqmemValueError("rate_fit needs at least 3 widths ≥ 1 with positive errors")
    m, log_error = widths[keep], np.log(errors[keep])
    exponential, algebraic = line_fit(m, log_error), line_fit(np.log(m), log_error)
    if exponential.r2 >= algebraic.r2:
        return RateFit("exponential", -exponential.slope, exponential.r2)
    return RateFit("algebraic", -algebraic.slope, algebraic.r2)


def resolved_rate_fit(
    widths: Sequence[int], errors: Sequence[float], *, resolution: float = 0.0
) -> RateFit | None:
    """:func:`rate_fit` of the widths whose error is resolved, or None when too few are.

    The rule: keep the points (m, error) with error > ``resolution`` (errors at or below it
    are exact fits or lost in rounding, and carry no rate); with at least three such points
    classify them by :func:`rate_fit`, with fewer there is no rate to report (None).

    Example:
        >>> resolved_rate_fit([1, 2, 3, 4], [1e-1, 1e-2, 1e-3, 0.0]).kind
        'exponential'
        >>> resolved_rate_fit([1, 2, 3, 4], [1e-1, 1e-2, 1e-13, 0.0], resolution=1e-12) is None
        True
    """
    resolved = [(m, e) for m, e in zip(widths, errors, strict=True) if e > resolution]
    if len(resolved) < 3:
        return None
    return rate_fit(*zip(*resolved, strict=True))


@dataclass(frozen=True)
class WidthSearch:
    """The smallest width reaching the target, or None with the last error seen, and the
    accuracy of that relative error (the fit's error tolerance over ‖ρ‖); ``errors`` holds
    the relative errors of widths 1, 2, … up to the last one tried."""

    width: int | None
    relative_error: float
    tolerance: float
    message: str
    errors: tuple[float, ...] = ()


def width_for(kernel: Kernel, eps: float, *, max_width: int = 32, norm: str = "l1") -> WidthSearch:
    """The smallest m whose best fit has relative error ‖ρ − ρ̂‖/‖ρ‖ ≤ eps.

    Widths are tried in increasing order, each fit warm-started from the previous one.
    Not reaching eps by ``max_width`` is a result (width None), not an error.

    Args:
        kernel: the target ρ.
        eps: the relative error to reach, > 0.
        max_width: the largest width tried.
        norm: "l1" (the worst-case error sup_t‖H_t − Ĥ_t‖/‖H‖) or "l2".
    """
    eps = check_positive("eps", eps, owner="width_for")
    if norm not in NORMS:
        raise SeqmemValueError(f"the 'norm' of width_for must be one of {NORMS}; got {norm!r}")
    max_width = check_integer("max_width", max_width, owner="width_for", minimum=1)
    previous, error, tolerance, errors = None, np.inf, np.inf, []
    for width in range(1, max_width + 1):
        fit = best_fit(kernel, width, start=previous)
        if norm == "l1":
            error, tolerance = fit.relative_l1_error, fit.l1_tolerance / kernel.l1_norm()
        else:
            norm_l2 = np.sqrt(kernel.l2_norm_squared())
            error, tolerance = fit.relative_l2_error, fit.l2_tolerance / norm_l2
        errors.append(float(error))
        if error <= eps:
            message = f"width {width} reaches {error:.3g} ≤ {eps:g}"
            return WidthSearch(width, error, tolerance, message, tuple(errors))
        previous = fit.model
    message = f"not reached by width {max_width} (best {error:.3g} > {eps:g})"
    return WidthSearch(None, error, tolerance, message, tuple(errors))
