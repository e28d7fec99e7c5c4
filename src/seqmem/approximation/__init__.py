"""Approximating memory kernels by width-m linear RNNs (ICLR 2021, §4).

Example:
    >>> from seqmem.approximation import geometric_fit
    >>> from seqmem.kernels import PowerLaw
    >>> geometric_fit(PowerLaw(omega=1.0), 2).relative_l2_error < 0.05
    True
"""

from seqmem.approximation.approximants import Approximant, approximant, error_against_width
from seqmem.approximation.fit import (
    ERROR_RTOL,
    ApproximationErrors,
    BestFit,
    approximation_errors,
    best_fit,
)
from seqmem.approximation.hankel import balanced_truncation, hankel_singular_values
from seqmem.approximation.jackson import (
    JacksonApproximant,
    estimate_gamma,
    jackson_approximant,
    jackson_beta,
    jackson_bound,
    jackson_constant,
)
from seqmem.approximation.projection import Fit, geometric_fit, project_onto_rates
from seqmem.approximation.rates import RateFit, rate_fit, resolved_rate_fit, width_for
from seqmem.approximation.truncation import TruncatedJacksonWidth, truncated_jackson_width

__all__ = [
    "ERROR_RTOL",
    "Approximant",
    "ApproximationErrors",
    "BestFit",
    "Fit",
    "JacksonApproximant",
    "RateFit",
    "TruncatedJacksonWidth",
    "approximant",
    "approximation_errors",
    "balanced_truncation",
    "best_fit",
    "error_against_width",
    "estimate_gamma",
    "geometric_fit",
    "hankel_singular_values",
    "jackson_approximant",
    "jackson_beta",
    "jackson_bound",
    "jackson_constant",
    "project_onto_rates",
    "rate_fit",
    "resolved_rate_fit",
    "truncated_jackson_width",
    "width_for",
]
