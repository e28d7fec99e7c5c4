"""Width-m approximants of a kernel by one of three methods, and their errors against width.

:func:`approximant` decides how a width-m model of ρ is built: "fit" (:func:`best_fit`, the
best model in L² or L¹), "balanced" (:func:`balanced_truncation`, within 2Σ_{k>m}σ_k of ρ)
or "jackson" (:func:`jackson_approximant`, the constructive bound of ICLR 2021, Thm 4.2).
:func:`error_against_width` builds one at each width of a list, each fit seeded by the
previous width's model: the error-against-width curve every table and experiment of §4 reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.approximation.fit import ApproximationErrors, approximation_errors, best_fit
from seqmem.approximation.hankel import balanced_truncation
from seqmem.approximation.jackson import jackson_approximant, jackson_beta
from seqmem.errors import SeqmemValueError
from seqmem.kernels import Kernel
from seqmem.rnn import LinearRNN

METHODS = ("fit", "jackson", "balanced")


@dataclass(frozen=True)
class Approximant:
    """A width-m approximant built by one method, its errors and its slowest decay rate."""

    model: LinearRNN
    errors: ApproximationErrors
    slowest_rate: float


def approximant(
    kernel: Kernel,
    width: int,
    *,
    method: str = "fit",
    beta: float | None = None,
    start: LinearRNN | None = None,
    norm: str = "l2",
) -> Approximant:
    """The width-m approximant of ρ by ``method``: "fit" (:func:`best_fit` in ``norm``,
    seeded by ``start``), "balanced" (:func:`balanced_truncation`) or "jackson"
    (:func:`jackson_approximant` with rate spacing :func:`jackson_beta` (``kernel``,
    ``beta``): ``beta``, by default the slowest rate of an exponential-sum ρ).

    The slowest rate is that of :attr:`BestFit.slowest_rate` for fits (modes of negligible
    weight ignored) and min Re(−λ) over the model's eigenvalues λ otherwise; the errors of
    the other methods are :func:`approximation_errors`.
    """
    if method == "fit":
        fit = best_fit(kernel, width, norm=norm, start=start)
        return Approximant(fit.model, fit.errors, fit.slowest_rate)
    if method == "balanced":
        model = balanced_truncation(kernel, width)
    elif method == "jackson":
        model = jackson_approximant(kernel, width, beta=jackson_beta(kernel, beta)).model
    else:
        raise SeqmemValueError(
            f"the 'method' of approximant must be one of {METHODS}; got {method!r}"
        )
    slowest = float(np.min(-np.real(model.eigenvalues)))
    return Approximant(model, approximation_errors(kernel, model), slowest)


def error_against_width(
    kernel: Kernel,
    widths: Sequence[int],
    *,
    method: str = "fit",
    beta: float | None = None,
    norm: str = "l2",
) -> list[Approximant]:
    """:func:`approximant` of ρ at each width in order, each seeded by the previous width's
    model (``start``; only fits use it): ``rows[i].errors`` is the error at ``widths[i]``.

    Example:
        >>> from seqmem.kernels import ExpSum
        >>> rows = error_against_width(ExpSum([1.0, 1.0], [1.0, 3.0]), [1, 2])
        >>> rows[0].errors.l2 > 1e-3 > 1e-10 > rows[1].errors.l2  # two modes fit exactly
        True
    """
    rows, previous = [], None
    for width in widths:
        row = approximant(kernel, width, method=method, beta=beta, start=previous, norm=norm)
        previous = row.model
        rows.append(row)
    return rows
