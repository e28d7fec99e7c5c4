"""The power-law kernel (1 + t/τ)^{−(1+ω)}: long memory, the curse of memory (ICLR 2021, §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError, check_positive, check_real
from seqmem.kernels._numeric import complex_or_real
from seqmem.kernels.base import Kernel, format_number
from seqmem.kernels.special import scaled_upper_gamma


@dataclass(frozen=True, eq=False, repr=False)
class PowerLaw(Kernel):
    """ρ(t) = (1 + t/τ)^{−(1+ω)}: polynomially decaying (long) memory; smaller ω is longer.

    ‖ρ‖_{L¹} = τ/ω, ‖ρ‖²_{L²} = τ/(1 + 2ω), ℒρ(s) = τ U(1, 1 − ω, sτ) = τ e^{sτ}(sτ)^ω Γ(−ω, sτ),
    ∫ t ρ e^{−st} dt = τ²[U(1, 2 − ω, sτ) − U(1, 1 − ω, sτ)] (finite at s = 0 only for ω > 1).
    No exponential sum approximates it at a rate exponential in the width (ICLR 2021, §4,
    the curse of memory).
    """

    omega: float
    tau: float = 1.0

    def __post_init__(self) -> None:
        omega = check_real("omega", self.omega, owner="powerlaw()")
        if omega <= 0:
            raise SeqmemValueError(
                f"the 'omega' of powerlaw() must be > 0 for an integrable kernel "
                f"(‖ρ‖_L¹ = τ/ω); got {omega:g}"
            )
        object.__setattr__(self, "omega", omega)
        object.__setattr__(self, "tau", check_positive("tau", self.tau, owner="powerlaw()"))

    def _evaluate(self, t):
        return np.exp(-(1.0 + self.omega) * np.log1p(t / self.tau))

    def _integral(self, a, b):
        # τ/ω (1 + a/τ)^{−ω} [1 − ((τ + b)/(τ + a))^{−ω}]
        head = (self.tau / self.omega) * np.exp(-self.omega * np.log1p(a / self.tau))
        with np.errstate(invalid="ignore"):
            ratio = np.log1p((b - a) / (self.tau + a))
        return head * -np.expm1(-self.omega * ratio)

    def laplace_transform(self, s):
        return self._transform(
            s,
            lambda x: scaled_upper_gamma(-self.omega, x) * self.tau,
            at_zero=self.tau / self.omega,
        )

    def t_weighted_laplace_transform(self, s):
        at_zero = self.tau**2 / (self.omega * (self.omega - 1)) if self.omega > 1 else np.inf

        def transform(x):
            difference = scaled_upper_gamma(1 - self.omega, x) - scaled_upper_gamma(-self.omega, x)
            return self.tau**2 * difference

        return self._transform(s, transform, at_zero=at_zero)

    def _transform(self, s, closed_form, *, at_zero):
        s = complex_or_real(s)
        if np.any(s.real < 0):
            raise SeqmemValueError("the Laplace transform of powerlaw() needs Re s ≥ 0")
        out = np.full(s.shape, at_zero, dtype=s.dtype)
        nonzero = s != 0
        out[nonzero] = closed_form(s[nonzero] * self.tau)
        return out

    def l1_norm(self):
        return self.tau / self.omega

    def l2_norm_squared(self):
        return self.tau / (1.0 + 2.0 * self.omega)

    def sign(self):
        return 1

    def time_scales(self):
        return self.tau, 1e3 * self.tau

    @property
    def spec(self):
        tau = "" if self.tau == 1 else f",tau={format_number(self.tau)}"
        return f"powerlaw(omega={format_number(self.omega)}{tau})"
