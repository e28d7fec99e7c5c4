"""The Airy kernel Ai(s₀(t − t₀)), the paper's long-memory target (ICLR 2021, §5)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from seqmem.errors import check_positive
from seqmem.kernels.base import Kernel, format_number

_AIRY_STEP = 0.25  # table spacing in y = s₀(t − t₀); Ai's wavelength stays above 0.6 for y > −100
_AIRY_END = 40.0
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(24)


def _gauss_legendre(fn, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """∫_lo^hi fn by the 24-point Gauss–Legendre rule, elementwise over lo and hi."""
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    middle, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    return half * (fn(middle[..., None] + half[..., None] * _GAUSS_NODES) @ _GAUSS_WEIGHTS)


@dataclass(frozen=True, eq=False, repr=False)
class Airy(Kernel):
    """ρ(t) = Ai(s₀(t − t₀)): oscillating for t < t₀, super-exponentially decaying after.

    The paper's Airy target (ICLR 2021, §5): memory of length ≈ t₀. Integrals come from a
    table of Gauss–Legendre cell integrals (:meth:`_integral`); transforms and norms use
    quadrature cut at the zeros of Ai. (The closed form ∫_ℝ Ai(x)e^{px}dx = e^{p³/3} holds
    only for p > 0, i.e. not for ℒρ(s), s > 0, whose p = −s/s₀.)
    """

    t0: float
    s0: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "t0", check_positive("t0", self.t0, owner="airy()", allow_zero=True)
        )
        object.__setattr__(self, "s0", check_positive("s0", self.s0, owner="airy()"))

    def _evaluate(self, t):
        y = self.s0 * (t - self.t0)
        # SciPy returns nan for Ai at arguments beyond ~1e5; Ai(y) < 1e-290 for y > 100
        return np.where(y > 100.0, 0.0, special.airy(np.minimum(y, 100.0))[0])

    @functools.cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative integrals of Ai on y_i = −s₀t₀ + i·h up to y = 40 (Ai(40) < 1e-45).

        Returns (y_i, ∫_{y_0}^{y_i} Ai, ∫_{y_i}^{40} Ai): one table from each end, so that
        differences near t = 0 and in the far tail both keep their relative accuracy.
        """
        start = -self.s0 * self.t0
        count = int(np.ceil((_AIRY_END - start) / _AIRY_STEP))
        y = start + _AIRY_STEP * np.arange(count + 1)
        pieces = _gauss_legendre(lambda u: special.airy(u)[0], y[:-1], y[1:])
        from_left = np.concatenate([[0.0], np.cumsum(pieces)])
        from_right = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]])
        return y, from_left, from_right

    def _integral(self, a, b):
        """∫_a^b Ai(s₀(t − t₀)) dt from the tables plus one Gauss–Legendre rule per endpoint.

        A cell on the decaying side (y_a ≥ 0) is a difference of integrals to the far end,
        any other cell a difference of integrals from y = −s₀t₀; each distinct endpoint is
        integrated once, in the form its cells need (neighbouring grid cells share edges).
        (SciPy's ``itairy`` was measured wrong by up to 2e-5 at y = 5, so it is not used.)
        """
        y, from_left, from_right = self._table
        ya = np.clip(self.s0 * (a - self.t0), y[0], y[-1])
        yb = np.clip(self.s0 * (b - self.t0), y[0], y[-1])
        decaying = ya >= 0
        points, inverse = np.unique(np.concatenate([ya.ravel(), yb.ravel()]), return_inverse=True)
        cell = np.clip(((points - y[0]) / _AIRY_STEP).astype(int), 0, y.size - 2)
        flag = np.concatenate([decaying.ravel(), decaying.ravel()])
        need_right = np.zeros(points.size, dtype=bool)
        need_right[inverse[flag]] = True
        need_left = np.zeros(points.size, dtype=bool)
        need_left[inverse[~flag]] = True
        need_right &= points < y[-1]  # ∫ from y_end on is 0 (Ai < 1e-45 there)

        def airy(u):
            return special.airy(u)[0]

        right, left = np.zeros(points.size), np.zeros(points.size)
        i = cell[need_right]
        right[need_right] = from_right[i + 1] + _gauss_legendre(airy, points[need_right], y[i + 1])
        i = cell[need_left]
        left[need_left] = from_left[i] + _gauss_legendre(airy, y[i], points[need_left])
        index_a, index_b = (
            inverse[: ya.size].reshape(ya.shape),
            inverse[ya.size :].reshape(yb.shape),
        )
        cells = np.where(decaying, right[index_a] - right[index_b], left[index_b] - left[index_a])
        return cells / self.s0

    def breakpoints(self):
        count = int(2 * (self.s0 * self.t0) ** 1.5 / (3 * math.pi)) + 2
        zeros = special.ai_zeros(count)[0]
        zeros = zeros[zeros > -self.s0 * self.t0]
        return tuple(float(self.t0 + z / self.s0) for z in zeros[::-1])

    def time_scales(self):
        # local wavelength 2π/(s₀√(s₀t₀)) at t = 0, where Ai oscillates fastest
        wavelength = 2 * math.pi / (self.s0 * math.sqrt(max(self.s0 * self.t0, 1.0)))
        return wavelength / 4.0, self.t0 + 30.0 / self.s0

    @property
    def spec(self):
        s0 = "" if self.s0 == 1 else f",s0={format_number(self.s0)}"
        return f"airy(t0={format_number(self.t0)}{s0})"
