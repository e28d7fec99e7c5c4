"""The memory-kernel interface: what every kernel ρ answers, and generic fallbacks.

A linear, continuous, causal, regular, time-homogeneous functional is a convolution
with a memory kernel ρ ∈ L¹[0, ∞) (Li, Han, E, Li, ICLR 2021, §3):

    H_t(x) = ∫_0^∞ ρ(s) x(t − s) ds,        sup_t ‖H_t‖ = ‖ρ‖_{L¹}.

Every kernel answers the same questions: its values ρ(t) (zero for t < 0), exact
integrals ∫_a^b ρ (the grid weights K_j of :mod:`seqmem.functional`), the Laplace
transform ℒρ(s) = ∫ ρ e^{−st} dt, the t-weighted transform ∫ t ρ e^{−st} dt = −(ℒρ)′(s)
(both enter the population loss of §5 of the paper), ‖ρ‖_{L¹} and ‖ρ‖²_{L²}.
Families give closed forms where they exist; this module supplies the fallbacks, by the
adaptive quadrature of :mod:`seqmem.kernels.quadrature`. The algebra of kernels (``ρ + σ``,
``c * ρ``, ``ρ.shift(d)``) and the inner product ⟨ρ, σ⟩ live in
:mod:`seqmem.kernels.combinators` and are importable from here too.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod

import numpy as np

from seqmem.errors import SeqmemValueError
from seqmem.kernels.quadrature import accurate, elementwise, integrate_pieces, with_tail

__all__ = [
    "Kernel",
    "Scaled",
    "Shifted",
    "Sum",
    "format_number",
    "inner_product",
    "integrate_pieces",
]


def format_number(value: float) -> str:
    """Shortest string that parses back to ``value`` (integers without a dot)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Kernel(ABC):
    """A memory kernel ρ: [0, ∞) → ℝ, integrable, extended by zero to t < 0.

    Subclasses implement :meth:`_evaluate` (for t ≥ 0), :meth:`_integral`,
    :meth:`time_scales` and :attr:`spec`; they override the transforms and norms
    where closed forms exist.

    Example:
        >>> from seqmem.kernels import Exponential
        >>> rho = Exponential(rate=2.0)
        >>> float(rho.laplace_transform(1.0))  # 1/(s + 2)
        0.3333333333333333
    """

    # Whether equal specs mean equal kernels (False for callables known only by a name).
    spec_identifies: bool = True

    # --- what every family provides -------------------------------------------------
    @abstractmethod
    def _evaluate(self, t: np.ndarray) -> np.ndarray:
        """ρ(t) for an array of t ≥ 0."""

    @abstractmethod
    def _integral(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """∫_a^b ρ for broadcast arrays 0 ≤ a ≤ b ≤ ∞."""

    @abstractmethod
    def time_scales(self) -> tuple[float, float]:
        """(shortest feature, time after which ρ keeps one sign and only decays)."""

    @property
    @abstractmethod
    def spec(self) -> str:
        """The spec string that :func:`seqmem.kernels.from_spec` parses back to this kernel."""

    def breakpoints(self) -> tuple[float, ...]:
        """Times where ρ is not smooth or changes sign, known in advance (for quadrature)."""
        return ()

    def sign(self) -> int:
        """+1 if ρ ≥ 0 everywhere, −1 if ρ ≤ 0 everywhere, 0 if unknown or mixed."""
        return 0

    def exponential_terms(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(weights g, rates λ) when ρ(t) = Σ g_k e^{−λ_k t} exactly, else None."""
        return None

    # --- public interface -----------------------------------------------------------
    def __call__(self, t: object) -> np.ndarray:
        """ρ(t), elementwise; zero for t < 0. Returns an array of the shape of ``t``."""
        t = np.asarray(t, dtype=float)
        positive = np.where(t >= 0, t, 0.0)
        return np.where(t >= 0, self._evaluate(positive), 0.0)

    def integrate(self, a: object, b: object) -> np.ndarray:
        """∫_a^b ρ(t) dt for broadcast arrays a ≤ b (b may be ``np.inf``); ρ = 0 on t < 0."""
        a = np.maximum(np.asarray(a, dtype=float), 0.0)
        b = np.maximum(np.asarray(b, dtype=float), 0.0)
        if np.any(b < a):
            raise SeqmemValueError("integrate(a, b) needs a ≤ b elementwise")
        a, b = np.broadcast_arrays(a, b)
        return np.where(a == b, 0.0, self._integral(a, np.where(a == b, a + 1.0, b)))

    def laplace_transform(self, s: object) -> np.ndarray:
        """ℒρ(s) = ∫_0^∞ ρ(t) e^{−st} dt for real s ≥ 0 or complex s (adaptive quadrature)."""
        return elementwise(s, lambda z: self.quadrature(lambda t: np.exp(-z * t)))

    def t_weighted_laplace_transform(self, s: object) -> np.ndarray:
        """∫_0^∞ t ρ(t) e^{−st} dt = −(d/ds) ℒρ(s) (adaptive quadrature)."""
        return elementwise(s, lambda z: self.quadrature(lambda t: t * np.exp(-z * t)))

    def l1_norm(self) -> float:
        """‖ρ‖_{L¹} = ∫_0^∞ |ρ|, the worst-case gain sup_{‖x‖∞≤1} |H_t(x)|."""
        return self._l1

    def l2_norm_squared(self) -> float:
        """‖ρ‖²_{L²} = ∫_0^∞ ρ², the output variance under unit white noise."""
        return self._l2_squared

    def inner(self, other: Kernel) -> float:
        """⟨ρ, σ⟩ = ∫_0^∞ ρ(t) σ(t) dt (closed form when either side is an exponential sum)."""
        return inner_product(self, other)

    def shift(self, delay: float) -> Kernel:
        """The kernel t ↦ ρ(t − delay) for t ≥ delay and 0 before (memory placed in the past)."""
        return Shifted(self, delay)

    def __add__(self, other: object) -> Kernel:
        if isinstance(other, Kernel):
            return Sum((self, other))
        if isinstance(other, int | float) and other == 0:
            return self  # lets sum([...]) start from 0
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Kernel:
        if not isinstance(other, Kernel):
            return NotImplemented
        return Sum((self, Scaled(-1.0, other)))

    def __neg__(self) -> Kernel:
        return Scaled(-1.0, self)

    def __mul__(self, factor: object) -> Kernel:
        if isinstance(factor, Kernel):
            raise SeqmemValueError("kernels can be scaled by numbers, not multiplied together")
        if isinstance(factor, bool) or not isinstance(factor, int | float | np.floating):
            return NotImplemented
        return Scaled(factor, self)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"Kernel({self.spec!r})"

    # --- generic numerics ------------------------------------------------------------
    @functools.cached_property
    def _l1(self) -> float:
        if self.sign() != 0:
            return abs(float(self.integrate(0.0, np.inf)))
        from seqmem.kernels.norms import l1_norm_with_error

        return accurate(l1_norm_with_error(self), "‖ρ‖_L¹", self.spec).value

    @functools.cached_property
    def _l2_squared(self) -> float:
        return self.quadrature(lambda t: self(t))

    def sign_change_times(self) -> np.ndarray:
        """0, the breakpoints and the sign changes of ρ, and ∞.

        Exponential sums: every sign change, certified (:mod:`seqmem.kernels.roots`).
        Other kernels: sign changes between samples of a grid adapted to every time scale
        of ρ (:func:`seqmem.kernels.roots.sampling_grid`), refined to machine precision; two
        roots closer than its spacing can pair up unseen, which is why norms integrate |ρ|.
        """
        return self._sign_changes

    @functools.cached_property
    def _sign_changes(self) -> np.ndarray:
        from seqmem.kernels.norms import merged_exponential_terms
        from seqmem.kernels.roots import exponential_sign_changes, sampled_sign_changes

        terms = merged_exponential_terms(self)
        if terms is not None:
            roots = exponential_sign_changes(*terms).roots
        else:
            roots = sampled_sign_changes(self)
        return np.unique(np.concatenate([[0.0], roots, self.breakpoints(), [np.inf]]))

    def quadrature(self, weight) -> complex | float:
        """∫_0^∞ ρ(t) weight(t) dt by adaptive Gauss–Kronrod (scipy ``quad``).

        The interval is cut at the sign changes and breakpoints of ρ and at the end of
        its features; real and imaginary parts of a complex weight are integrated
        separately. Raises :class:`SeqmemError` when the estimated error exceeds 1e-6
        relative.
        """
        edges = with_tail(self.sign_change_times(), self.time_scales()[1])
        if np.iscomplexobj(weight(np.asarray(1.0))):
            real = integrate_pieces(lambda t: self(t) * np.real(weight(t)), edges, self.spec)
            imag = integrate_pieces(lambda t: self(t) * np.imag(weight(t)), edges, self.spec)
            return complex(real, imag)
        return integrate_pieces(lambda t: self(t) * weight(t), edges, self.spec)


# The combinators subclass Kernel, and Kernel's algebra (+, −, *, shift, inner) builds them:
# they are imported once Kernel exists (every import of seqmem.kernels runs this module
# first), for those methods and for the import paths that name them here.
from seqmem.kernels.combinators import Scaled, Shifted, Sum, inner_product  # noqa: E402
