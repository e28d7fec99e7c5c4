"""Approximating a memory kernel by a width-m linear RNN (ICLR 2021, §4).

For fixed decay rates w_1..w_m the best weights in L² are a linear least-squares
problem with closed-form entries: with ρ̂ = Σ a_i e^{−w_i t},

    ‖ρ − ρ̂‖²_{L²} = aᵀ G a − 2 aᵀ b + ‖ρ‖²_{L²},   G_ij = 1/(w_i + w_j),  b_i = ℒρ(w_i),

so a = G⁻¹ b. :func:`project_onto_rates` solves it; :func:`geometric_fit` adds the
simplest nonlinear step, geometrically spaced rates w_i = w₁ r^{i−1} with (w₁, r)
optimised, which already shows the curse of memory: the error falls exponentially in m
for exponential-type kernels and only slowly for power laws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from seqmem.errors import SeqmemValueError, check_finite_array, check_integer
from seqmem.kernels import Kernel
from seqmem.rnn import LinearRNN


@dataclass(frozen=True)
class Fit:
    """A width-m approximant ρ̂ = Σ a_i e^{−w_i t} of a kernel and its L² error.

    The error comes from the closed-form expansion, exact up to ~1e-16‖ρ‖²_{L²}: relative
    L² errors below ~1e-7 are reported as that floor or 0.
    """

    model: LinearRNN
    l2_error: float
    relative_l2_error: float


def project_onto_rates(kernel: Kernel, rates: object) -> Fit:
    """The L²-best weights for fixed real decay rates w > 0, and the resulting error.

    Args:
        kernel: the target ρ.
        rates: w, array of shape (m,), distinct and positive.

    Returns:
        a :class:`Fit` whose model has W = −diag(w), U = 1, c = a.
    """
    rates = check_finite_array("rates", rates, owner="project_onto_rates")
    if rates.ndim != 1 or rates.size == 0 or np.any(rates <= 0):
        raise SeqmemValueError(
            "the 'rates' of project_onto_rates must be a 1-d array of positive numbers; "
            f"got {rates}"
        )
    gram = 1.0 / np.add.outer(rates, rates)
    moments = np.asarray(kernel.laplace_transform(rates), dtype=float)
    weights = scipy.linalg.lstsq(gram, moments, cond=1e-14)[0]
    norm_squared = kernel.l2_norm_squared()
    # The expansion cancels to ~1e-16‖ρ‖², so relative errors below ~1e-7 are not resolved.
    error_squared = max(weights @ gram @ weights - 2 * weights @ moments + norm_squared, 0.0)
    return Fit(
        model=LinearRNN.from_rates(rates, weights),
        l2_error=float(np.sqrt(error_squared)),
        relative_l2_error=float(np.sqrt(error_squared / norm_squared)),
    )


def geometric_fit(kernel: Kernel, width: int) -> Fit:
    """The best fit with geometrically spaced rates w_i = w₁ r^{i−1}, (w₁, r) optimised.

    Nelder–Mead over (log w₁, log(r − 1)) from a few starts; each evaluation is the
    closed-form projection of :func:`project_onto_rates`.
    """
    width = check_integer("width", width, owner="geometric_fit", minimum=1)

    def rates_of(params: np.ndarray) -> np.ndarray:
        return np.exp(params[0]) * (1.0 + np.exp(params[1])) ** np.arange(width)

    def objective(params: np.ndarray) -> float:
        rates = rates_of(params)
        # rates closer than 1 % are degenerate (huge cancelling weights): stay away from them
        if params[1] < np.log(1e-2) or rates[-1] > 1e8 or rates[0] < 1e-8:
            return np.inf
        return project_onto_rates(kernel, rates).l2_error

    best = None
    for log_first in (-2.0, 0.0):
        for log_spread in (-1.0, 1.0):
            start = np.array([log_first, log_spread])
            result = scipy.optimize.minimize(
                objective, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-14}
            )
            if best is None or result.fun < best.fun:
                best = result
    return project_onto_rates(kernel, rates_of(best.x))
