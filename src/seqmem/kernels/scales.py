"""The time scales of a memory kernel, term by term: what grids and quadratures resolve.

A sum of kernels has as many time scales as terms (one per exponential mode), and a grid
built from the sum's overall shortest and longest scale alone under-resolves the ones in
between: :func:`term_time_scales` lists them all. :func:`term_magnitude` is Σ|terms|, what
the rounding of ρ(t) is proportional to when its terms cancel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
