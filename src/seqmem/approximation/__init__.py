"""Approximating memory kernels by width-m linear RNNs (ICLR 2021, §4).

Example:
    >>> from seqmem.approximation import geometric_fit
    >>> from seqmem.kernels import PowerLaw
    >>> geometric_fit(PowerLaw(omega=1.0), 2).relative_l2_error < 0.05
    True
"""

from seqmem.approximation.projection import Fit, geometric_fit, project_onto_rates

__all__ = ["Fit", "geometric_fit", "project_onto_rates"]
