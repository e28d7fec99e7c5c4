"""The delay box 1{t₀ < t < t₀ + w}: a pure delay averaged over a window."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from seqmem.errors import check_positive
from seqmem.kernels._numeric import complex_or_real
from seqmem.kernels.base import Kernel, format_number


@dataclass(frozen=True, eq=False, repr=False)
class DelayBox(Kernel):
    """ρ(t) = 1{t₀ < t < t₀ + w}: a pure delay averaged over a window of width w.

    ℒρ(s) = e^{−st₀}(1 − e^{−sw})/s; ∫ t ρ e^{−st} = e^{−st₀}[t₀(1 − e^{−sw})/s + w² φ(sw)],
    φ(x) = (1 − e^{−x}(1 + x))/x² (a series near 0). ‖ρ‖_{L¹} = ‖ρ‖²_{L²} = w.
    """

    t0: float
    width: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="delay()", allow_zero=True)
        )
        object.__setattr__(self, "width", check_positive("width", self.width, owner="delay()"))

    def _evaluate(self, t):
        return ((t > self.t0) & (t < self.t0 + self.width)).astype(float)

    def _integral(self, a, b):
        return np.maximum(0.0, np.minimum(b, self.t0 + self.width) - np.maximum(a, self.t0))

    def laplace_transform(self, s):
        s = complex_or_real(s)
        x = s * self.width
        return np.exp(-s * self.t0) * self.width * _relative_expm1(x)

    def t_weighted_laplace_transform(self, s):
        s = complex_or_real(s)
        x = s * self.width
        small = np.abs(x) < 1e-2
        xs = np.where(small, 1.0, x)
        phi = np.where(small, 0.0, (1.0 - np.exp(-xs) * (1.0 + xs)) / (xs * xs))
        series, power = np.zeros_like(x), np.ones_like(x)
        for n in range(2, 9):  # φ(x) = Σ_{n≥2} (−1)^n (n − 1) x^{n−2}/n!
            series = series + (-1) ** n * (n - 1) / math.factorial(n) * power
            power = power * x
        phi = np.where(small, series, phi)
        head = self.t0 * self.width * _relative_expm1(x)
        return np.exp(-s * self.t0) * (head + self.width**2 * phi)

    def l1_norm(self):
        return self.width

    def l2_norm_squared(self):
        return self.width

    def sign(self):
        return 1

    def breakpoints(self):
        return (self.t0, self.t0 + self.width)

    def time_scales(self):
        return self.width, self.t0 + self.width

    @property
    def spec(self):
        return f"delay(t0={format_number(self.t0)},width={format_number(self.width)})"


def _relative_expm1(x: np.ndarray) -> np.ndarray:
    """(1 − e^{−x})/x, equal to 1 at x = 0."""
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1.0, -np.expm1(-safe) / safe)
