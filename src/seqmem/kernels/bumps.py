"""Memory localised in the past: the shifted Gaussian bump and the unit-energy gamma bump."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from seqmem.errors import check_positive
from seqmem.kernels._numeric import SQRT_PI, complex_or_real
from seqmem.kernels.base import Kernel, format_number


@dataclass(frozen=True, eq=False, repr=False)
class GaussianBump(Kernel):
    """ρ(t) = e^{−((t − t₀)/σ)²} on t ≥ 0: memory localised around t₀.

    With c = t₀/σ and z = sσ/2 − c, ℒρ(s) = (σ√π/2) e^{−c²} erfcx(z) (the form
    e^{(sσ/2)² − st₀} erfc(z) cancels catastrophically), and
    ∫ t ρ e^{−st} = (σ²√π/2) e^{−c²}(1/√π − z erfcx(z)).
    """

    t0: float
    sigma: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="bump()", allow_zero=True)
        )
        object.__setattr__(self, "sigma", check_positive("sigma", self.sigma, owner="bump()"))

    @property
    def _amplitude(self) -> float:
        return self.sigma * SQRT_PI / 2.0

    def _evaluate(self, t):
        return np.exp(-(((t - self.t0) / self.sigma) ** 2))

    def _integral(self, a, b):
        ua, ub = (a - self.t0) / self.sigma, (b - self.t0) / self.sigma
        # erf differences lose everything in the tails: use erfc on the side they lie on.
        right = special.erfc(ua) - special.erfc(ub)
        left = special.erfc(-ub) - special.erfc(-ua)
        across = special.erf(ub) - special.erf(ua)
        return self._amplitude * np.where(ua >= 0, right, np.where(ub <= 0, left, across))

    def _scaled_erfc(self, z):
        """e^{−c²} e^{z²} erfc(z), without overflow for real or complex z.

        For Re z ≥ 0 it is e^{−c²} erfcx(z); for Re z < 0, erfc(z) = 2 − erfc(−z) gives
        2e^{z² − c²} − e^{−c²} erfcx(−z), where z² − c² ≤ 0 for the z = sσ/2 − c used here.
        """
        c = self.t0 / self.sigma
        right = np.where(z.real >= 0, z, 0.0)
        left = np.where(z.real < 0, z, -1.0)
        from_left = 2.0 * np.exp(left * left - c * c) - np.exp(-c * c) * special.erfcx(-left)
        return np.where(z.real >= 0, np.exp(-c * c) * special.erfcx(right), from_left)

    def laplace_transform(self, s):
        z = complex_or_real(s) * self.sigma / 2.0 - self.t0 / self.sigma
        return self._amplitude * self._scaled_erfc(z)

    def t_weighted_laplace_transform(self, s):
        z = complex_or_real(s) * self.sigma / 2.0 - self.t0 / self.sigma
        c = self.t0 / self.sigma
        direct = np.exp(-c * c) / SQRT_PI - z * self._scaled_erfc(z)
        if not np.iscomplexobj(z):
            # 1/√π − z erfcx(z) = (1/√π) Σ_{n≥1} (−1)^{n+1} (2n−1)!!/(2z²)^n, asymptotic for z ≫ 1
            far = z > 8.0
            zf = np.where(far, z, 9.0)
            term, series = np.ones_like(zf), np.zeros_like(zf)
            for n in range(1, 21):
                term = term * -(2 * n - 1) / (2.0 * zf * zf)
                series = series - term
            direct = np.where(far, np.exp(-c * c) * series / SQRT_PI, direct)
        return self._amplitude * self.sigma * direct

    def l1_norm(self):
        return self._amplitude * float(special.erfc(-self.t0 / self.sigma))

    def l2_norm_squared(self):
        return (
            self._amplitude
            / math.sqrt(2.0)
            * float(special.erfc(-math.sqrt(2) * self.t0 / self.sigma))
        )

    def sign(self):
        return 1

    def time_scales(self):
        return self.sigma, self.t0 + 10.0 * self.sigma

    @property
    def spec(self):
        sigma = "" if self.sigma == 1 else f",sigma={format_number(self.sigma)}"
        return f"bump(t0={format_number(self.t0)}{sigma})"


@dataclass(frozen=True, eq=False, repr=False)
class GammaBump(Kernel):
    """ρ(t) = A t^k e^{−t}, A = √(2^{2k+1}/Γ(2k+1)) so that ‖ρ‖_{L²} = 1; peak at t = k.

    ℒρ(s) = A Γ(k+1)/(1 + s)^{k+1}; ∫ t ρ e^{−st} = A Γ(k+2)/(1 + s)^{k+2}. Seen from decay
    rates w, ℒρ(w) ∝ (1 + w)^{−(k+1)} is exponentially small in k: the force that drives
    the plateau escape of docs/mathematics.md §4.3.
    """

    k: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "k", check_positive("k", self.k, owner="gammabump()", allow_zero=True)
        )

    @property
    def _log_amplitude(self) -> float:
        return 0.5 * ((2 * self.k + 1) * math.log(2.0) - special.gammaln(2 * self.k + 1))

    def _evaluate(self, t):
        return np.exp(self._log_amplitude + special.xlogy(self.k, t) - t)

    def _integral(self, a, b):
        order = self.k + 1.0
        scale = math.exp(self._log_amplitude + special.gammaln(order))
        upper = special.gammaincc(order, a) - special.gammaincc(order, b)
        lower = special.gammainc(order, b) - special.gammainc(order, a)
        return scale * np.where(a >= order, upper, lower)

    def laplace_transform(self, s):
        s = complex_or_real(s)
        return np.exp(
            self._log_amplitude + special.gammaln(self.k + 1) - (self.k + 1) * np.log1p(s)
        )

    def t_weighted_laplace_transform(self, s):
        s = complex_or_real(s)
        return np.exp(
            self._log_amplitude + special.gammaln(self.k + 2) - (self.k + 2) * np.log1p(s)
        )

    def l1_norm(self):
        return math.exp(self._log_amplitude + special.gammaln(self.k + 1))

    def l2_norm_squared(self):
        return 1.0

    def sign(self):
        return 1

    def time_scales(self):
        width = math.sqrt(self.k + 1.0)
        return min(1.0, width) / 4.0, self.k + 12.0 * width + 40.0

    @property
    def spec(self):
        return f"gammabump(k={format_number(self.k)})"
