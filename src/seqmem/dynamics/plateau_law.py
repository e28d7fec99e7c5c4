"""How plateau lengths scale with memory: the fit log(length) ≈ b₀ + b₁·memory across runs.

A plateau whose length grows like e^{c·T} with the memory T of the target (ICLR 2021, §5)
gives a straight line of slope c; :func:`fit_log_length` fits it to the lengths that
:func:`~seqmem.dynamics.plateaus.plateau_escape` measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError, check_finite_array
from seqmem.laws import line_fit


@dataclass(frozen=True)
class LogLengthFit:
    """log(length) ≈ intercept + slope·memory, with the r² of the fit."""

    slope: float
    intercept: float
    r2: float

    def as_dict(self) -> dict:
        return {"slope": self.slope, "intercept": self.intercept, "r2": self.r2}


def fit_log_length(memory: object, lengths: object) -> LogLengthFit:
    """Least squares log(length) ≈ intercept + slope · memory, and its r².

    A plateau whose length grows like e^{c·T} with the memory T of the target
    (ICLR 2021, §5) gives a straight line with slope c.

    Args:
        memory: the memory parameter T of each run, shape (n,), n ≥ 2, not all equal.
        lengths: the plateau lengths, finite and > 0, shape (n,). Drop runs without an
            escape first.

    Example:
        >>> T = np.array([1.0, 2.0, 3.0])
        >>> fit = fit_log_length(T, np.exp(1.5 * T - 2.0))
        >>> round(fit.slope, 6), round(fit.intercept, 6), round(fit.r2, 6)
        (1.5, -2.0, 1.0)
    """
    owner = "fit_log_length"
    memory = check_finite_array("memory", memory, owner=owner)
    lengths = check_finite_array("lengths", lengths, owner=owner)
    if memory.ndim != 1 or memory.shape != lengths.shape:
        raise SeqmemValueError(
            f"the 'memory' and 'lengths' of {owner} must be 1-d of one length; got "
            f"{memory.shape} and {lengths.shape}"
        )
    if memory.size < 2 or np.all(memory == memory[0]):
        raise SeqmemValueError(
            f"the 'memory' of {owner} must hold at least 2 different values; got {memory}"
        )
    if np.any(lengths <= 0):
        first = int(np.flatnonzero(lengths <= 0)[0])
        raise SeqmemValueError(
            f"the 'lengths' of {owner} must be > 0 (drop runs without an escape); entry "
            f"{first} is {lengths[first]:g}"
        )
    fit = line_fit(memory, np.log(lengths))
    return LogLengthFit(fit.slope, fit.intercept, fit.r2)
