"""Adaptive quadrature for kernels: ∫ over pieces with a checked error, and its helpers.

Every kernel integral without a closed form is cut at known points (sign changes,
breakpoints, the end of the features) and integrated piece by piece by scipy's ``quad`` at
relative accuracy :data:`QUADRATURE_RTOL`; a result whose error estimate exceeds
:data:`QUADRATURE_FAILURE` relative raises instead of being returned silently
(:func:`integrate_pieces`, :func:`accurate`).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
from scipy import integrate

from seqmem.errors import SeqmemError

# Relative accuracy asked of every adaptive quadrature; results worse than
# QUADRATURE_FAILURE (relative) raise instead of being returned silently.
QUADRATURE_RTOL = 1e-12
QUADRATURE_FAILURE = 1e-6


def accurate(norm, name: str, spec: str):
    """``norm`` if its relative error is within QUADRATURE_FAILURE, else raise."""
    if norm.relative_error > QUADRATURE_FAILURE:
        raise SeqmemError(
            f"{name} of {spec} is known only to ±{norm.error:.2g} (value {norm.value:.6g}): "
            "use seqmem.kernels.norms for the value with its error bound"
        )
    return norm


def with_tail(edges: np.ndarray, long: float) -> np.ndarray:
    """Cut points ending with [max(long, last finite edge), ∞)."""
    finite = edges[np.isfinite(edges)]
    return np.unique(np.concatenate([finite, [max(long, finite[-1]), np.inf]]))


def integrate_pieces(fn, edges: np.ndarray, label: str) -> float:
    """Σ over consecutive edges of ∫ fn by scipy ``quad``; raises if the error is large."""
    total, error = 0.0, 0.0
    for lo, hi in itertools.pairwise(edges):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            value, err = integrate.quad(
                lambda t: float(fn(t)), lo, hi, limit=500, epsabs=0.0, epsrel=QUADRATURE_RTOL
            )
        total += value
        error += err
    if not math.isfinite(total) or (error > QUADRATURE_FAILURE * abs(total) and error > 1e-14):
        raise SeqmemError(
            f"quadrature for {label} did not converge: value {total:g}, error estimate {error:g}"
        )
    return total


def elementwise(s: object, fn) -> np.ndarray:
    """Apply a scalar function to every element of s, keeping its shape and complexity."""
    s = np.asarray(s)
    complex_input = np.iscomplexobj(s)
    out = np.empty(s.shape, dtype=complex if complex_input else float)
    for index, value in np.ndenumerate(s):
        out[index] = fn(complex(value) if complex_input else float(value))
    return out
