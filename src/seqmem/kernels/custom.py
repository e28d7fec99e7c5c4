"""Any integrable kernel given as a vectorised callable; everything by quadrature."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from seqmem.errors import SeqmemValueError, check_finite_array, check_positive
from seqmem.kernels.base import Kernel


@dataclass(frozen=True, eq=False, repr=False)
class Custom(Kernel):
    """Any integrable kernel given as a vectorised callable ρ(t) (t ≥ 0 arrays in, same shape out).

    Everything is computed by adaptive quadrature. ``time_scale`` is the shortest feature
    of ρ and ``horizon`` the time after which ρ keeps one sign and decays; both guide the
    quadrature. Construction checks that ρ is finite and that ‖ρ‖_{L¹} < ∞.

    Example:
        >>> rho = Custom(lambda t: 1.0 / (1.0 + t) ** 2, name="inverse-square")
        >>> round(rho.l1_norm(), 10)
        1.0
    """

    function: Callable[[np.ndarray], np.ndarray]
    name: str = "custom"
    time_scale: float = 1.0
    horizon: float = 50.0
    spec_identifies = False  # two callables may share a name

    def __post_init__(self) -> None:
        owner = f"custom kernel {self.name!r}"
        if not callable(self.function):
            raise SeqmemValueError(f"the 'function' of {owner} must be callable")
        check_positive("time_scale", self.time_scale, owner=owner)
        check_positive("horizon", self.horizon, owner=owner)
        probe = np.array([0.0, 0.5 * self.time_scale, self.time_scale, self.horizon])
        values = np.asarray(self.function(probe), dtype=float)
        if values.shape != probe.shape:
            raise SeqmemValueError(
                f"the function of {owner} must be vectorised: 4 times in gave shape {values.shape}"
            )
        check_finite_array("values", values, owner=owner)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            tail, error = integrate.quad(
                lambda t: abs(float(self.function(np.array(t)))), self.horizon, np.inf, limit=500
            )
        if not math.isfinite(tail) or error > 1e-6 * max(tail, 1.0):
            raise SeqmemValueError(
                f"{owner} is not integrable: ∫_horizon^∞ |ρ| does not converge "
                f"(quadrature gave {tail:g} ± {error:g})"
            )

    def _evaluate(self, t):
        return np.asarray(self.function(t), dtype=float)

    def _integral(self, a, b):
        edges = self.sign_change_times()
        out = np.empty(np.broadcast(a, b).shape)
        for index, (lo, hi) in enumerate(zip(np.ravel(a), np.ravel(b), strict=True)):
            inside = edges[(edges > lo) & (edges < hi)]
            cuts = np.concatenate([[lo], inside, [hi]])
            out.flat[index] = sum(
                integrate.quad(lambda t: float(self(t)), x, y, limit=500, epsrel=1e-12)[0]
                for x, y in itertools.pairwise(cuts)
            )
        return out

    def time_scales(self):
        return self.time_scale, self.horizon

    @property
    def spec(self):
        return self.name
