"""Exponential sums ρ = Σ g_k e^{−λ_k t}: the kernels of linear RNNs (ICLR 2021, §3)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError, check_finite_array, check_positive, check_real
from seqmem.kernels._numeric import complex_or_real
from seqmem.kernels.base import Kernel, format_number


@dataclass(frozen=True, eq=False, repr=False)
class ExpSum(Kernel):
    """ρ(t) = Σ_k g_k e^{−λ_k t}: the kernel of every diagonalisable linear RNN.

    Args:
        weights: g, array of shape (m,), real or complex.
        rates: λ, array of shape (m,) with Re λ > 0; complex rates must come in
            conjugate pairs with conjugate weights so that ρ is real.

    ℒρ(s) = Σ g_k/(s + λ_k), ∫ t ρ e^{−st} = Σ g_k/(s + λ_k)², ‖ρ‖²_{L²} = Σ g_i g_j/(λ_i + λ_j).

    Example:
        >>> rho = ExpSum([1.0, 2.0], [1.0, 3.0])
        >>> round(rho.l1_norm(), 12)  # 1/1 + 2/3
        1.666666666667
    """

    weights: np.ndarray
    rates: np.ndarray

    def __post_init__(self) -> None:
        owner = "an exponential-sum kernel"
        weights = np.atleast_1d(
            check_finite_array("weights", self.weights, owner=owner, dtype=complex)
        )
        rates = np.atleast_1d(check_finite_array("rates", self.rates, owner=owner, dtype=complex))
        if weights.ndim != 1 or weights.shape != rates.shape or weights.size == 0:
            raise SeqmemValueError(
                f"the 'weights' and 'rates' of {owner} must be 1-d arrays of one nonzero length; "
                f"got shapes {weights.shape} and {rates.shape}"
            )
        if np.any(rates.real <= 0):
            worst = rates[np.argmin(rates.real)]
            raise SeqmemValueError(
                f"the 'rates' of {owner} must have positive real part (decaying memory); "
                f"got {worst:g}"
            )
        if np.any(rates.imag != 0) or np.any(weights.imag != 0):
            _check_conjugate_closed(weights, rates)
        else:
            weights, rates = weights.real, rates.real
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "rates", rates)

    def _evaluate(self, t):
        return np.real(np.exp(-np.multiply.outer(t, self.rates)) @ self.weights)

    def _integral(self, a, b):
        # g/λ e^{−λa}(1 − e^{−λ(b−a)}): no cancellation in the tail or for short cells.
        a_ = np.multiply.outer(a, self.rates)
        finite_b = np.isfinite(b)
        gap = np.multiply.outer(np.where(finite_b, b - a, 0.0), self.rates)
        fraction = np.where(finite_b[..., None], -np.expm1(-gap), 1.0)
        pieces = np.exp(-a_) * fraction / self.rates
        return np.real(pieces @ self.weights)

    def laplace_transform(self, s):
        s = complex_or_real(s)
        values = (1.0 / np.add.outer(s, self.rates)) @ self.weights
        return values if np.iscomplexobj(s) else np.real(values)

    def t_weighted_laplace_transform(self, s):
        s = complex_or_real(s)
        values = (1.0 / np.add.outer(s, self.rates) ** 2) @ self.weights
        return values if np.iscomplexobj(s) else np.real(values)

    @functools.cached_property
    def _l2_squared(self) -> float:
        # Σ g_i g_j/(λ_i + λ_j) summed exactly, in mpmath where its terms cancel
        from seqmem.kernels.norms import exponential_l2_squared, merged_exponential_terms

        return exponential_l2_squared(*merged_exponential_terms(self))[0]

    def sign(self):
        if np.iscomplexobj(self.rates):
            return 0
        if np.all(self.weights >= 0):
            return 1
        return -1 if np.all(self.weights <= 0) else 0

    def exponential_terms(self):
        return self.weights, self.rates

    def time_scales(self):
        return 1.0 / float(np.max(np.abs(self.rates))), 40.0 / float(np.min(self.rates.real))

    @property
    def spec(self) -> str:
        parts: list[str] = []
        for g, lam in zip(self.weights, self.rates, strict=True):
            if np.imag(lam) > 0:
                continue  # the pair is written once, from its lower member
            if np.imag(lam) == 0:
                term = f"exp(rate={format_number(np.real(lam))})"
                factor = float(np.real(g))
            else:
                # g e^{−(a−ib)t} + c.c. = 2|g| e^{−at} cos(bt + arg g)
                phase = float(np.angle(g))
                term = (
                    f"expcos(rate={format_number(lam.real)},freq={format_number(-lam.imag)},"
                    f"phase={format_number(phase)})"
                )
                factor = 2.0 * abs(g)
            parts.append(term if factor == 1 else f"{format_number(factor)}*{term}")
        return "+".join(parts).replace("+-", "-")


def _check_conjugate_closed(weights: np.ndarray, rates: np.ndarray) -> None:
    """Raise unless the terms (g, λ) are closed under conjugation (ρ is then real)."""
    unmatched = list(range(rates.size))
    while unmatched:
        i = unmatched.pop(0)
        if rates[i].imag == 0 and abs(weights[i].imag) <= 1e-12 * abs(weights[i]):
            continue
        scale = 1e-10 * (abs(rates[i]) + abs(weights[i]))
        for j in unmatched:
            if (
                abs(rates[j] - np.conj(rates[i])) <= scale
                and abs(weights[j] - np.conj(weights[i])) <= scale
            ):
                unmatched.remove(j)
                break
        else:
            raise SeqmemValueError(
                "an exponential-sum kernel must be real: complex rates need conjugate partners "
                f"with conjugate weights; rate {rates[i]:g} with weight {weights[i]:g} has none"
            )


def Exponential(rate: float, weight: float = 1.0) -> ExpSum:
    """ρ(t) = weight·e^{−rate·t}."""
    rate = check_positive("rate", rate, owner="exp()")
    weight = check_real("weight", weight, owner="exp()")
    return ExpSum(np.array([weight]), np.array([rate]))


def DampedCosine(rate: float, freq: float, phase: float = 0.0) -> ExpSum:
    """ρ(t) = e^{−rate·t} cos(freq·t + phase) = Re(e^{iφ} e^{−(rate − i·freq)t})."""
    rate = check_positive("rate", rate, owner="expcos()")
    freq = check_real("freq", freq, owner="expcos()")
    phase = check_real("phase", phase, owner="expcos()")
    if freq == 0:
        return Exponential(rate, math.cos(phase))
    weight = 0.5 * np.exp(1j * phase)
    lam = complex(rate, -freq)
    return ExpSum(np.array([weight, np.conj(weight)]), np.array([lam, np.conj(lam)]))
