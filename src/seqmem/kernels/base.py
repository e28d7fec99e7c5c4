"""The memory-kernel interface and the algebra of kernels (sum, scaling, shift).

A linear, continuous, causal, regular, time-homogeneous functional is a convolution
with a memory kernel ρ ∈ L¹[0, ∞) (Li, Han, E, Li, ICLR 2021, §3):

    H_t(x) = ∫_0^∞ ρ(s) x(t − s) ds,        sup_t ‖H_t‖ = ‖ρ‖_{L¹}.

Every kernel answers the same questions: its values ρ(t) (zero for t < 0), exact
integrals ∫_a^b ρ (the grid weights K_j of :mod:`seqmem.functional`), the Laplace
transform ℒρ(s) = ∫ ρ e^{−st} dt, the t-weighted transform ∫ t ρ e^{−st} dt = −(ℒρ)′(s)
(both enter the population loss of §5 of the paper), ‖ρ‖_{L¹} and ‖ρ‖²_{L²}.
Families give closed forms where they exist; this module supplies adaptive-quadrature
fallbacks and the inner product ⟨ρ, σ⟩ that sums and differences of kernels need.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from seqmem.errors import SeqmemError, SeqmemValueError, check_positive, check_real

# Relative accuracy asked of every adaptive quadrature; results worse than
# QUADRATURE_FAILURE (relative) raise instead of being returned silently.
QUADRATURE_RTOL = 1e-12
QUADRATURE_FAILURE = 1e-6


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
        return _elementwise(s, lambda z: self.quadrature(lambda t: np.exp(-z * t)))

    def t_weighted_laplace_transform(self, s: object) -> np.ndarray:
        """∫_0^∞ t ρ(t) e^{−st} dt = −(d/ds) ℒρ(s) (adaptive quadrature)."""
        return _elementwise(s, lambda z: self.quadrature(lambda t: t * np.exp(-z * t)))

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

        return _accurate(l1_norm_with_error(self), "‖ρ‖_L¹", self.spec).value

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
        edges = _with_tail(self.sign_change_times(), self.time_scales()[1])
        if np.iscomplexobj(weight(np.asarray(1.0))):
            real = integrate_pieces(lambda t: self(t) * np.real(weight(t)), edges, self.spec)
            imag = integrate_pieces(lambda t: self(t) * np.imag(weight(t)), edges, self.spec)
            return complex(real, imag)
        return integrate_pieces(lambda t: self(t) * weight(t), edges, self.spec)


def _accurate(norm, name: str, spec: str):
    """``norm`` if its relative error is within QUADRATURE_FAILURE, else raise."""
    if norm.relative_error > QUADRATURE_FAILURE:
        raise SeqmemError(
            f"{name} of {spec} is known only to ±{norm.error:.2g} (value {norm.value:.6g}): "
            "use seqmem.kernels.norms for the value with its error bound"
        )
    return norm


def _with_tail(edges: np.ndarray, long: float) -> np.ndarray:
    """Cut points ending with [max(long, last finite edge), ∞)."""
    finite = edges[np.isfinite(edges)]
    return np.unique(np.concatenate([finite, [max(long, finite[-1]), np.inf]]))


def integrate_pieces(fn, edges: np.ndarray, label: str) -> float:
    """Σ over consecutive edges of ∫ fn by scipy ``quad``; raises if the error is large."""
    total, error = 0.0, 0.0
    for lo, hi in itertools.pairwise(edges):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            value, err = integrate.quad(
                lambda t: float(fn(t)), lo, hi, limit=500, epsabs=0.0, epsrel=QUADRATURE_RTOL
            )
        total += value
        error += err
    if not math.isfinite(total) or (error > QUADRATURE_FAILURE * abs(total) and error > 1e-14):
        raise SeqmemError(
            f"quadrature for {label} did not converge: value {total:g}, error estimate {error:g}"
        )
    return total


def _is_compound(spec: str) -> bool:
    """True when a spec has a '+' or '-' outside parentheses (and not in an exponent)."""
    depth = 0
    for position, char in enumerate(spec):
        depth += {"(": 1, ")": -1}.get(char, 0)
        exponent = position > 1 and spec[position - 1] in "eE" and spec[position - 2].isdigit()
        if depth == 0 and position > 0 and char in "+-" and not exponent:
            return True
    return False


def _elementwise(s: object, fn) -> np.ndarray:
    """Apply a scalar function to every element of s, keeping its shape and complexity."""
    s = np.asarray(s)
    complex_input = np.iscomplexobj(s)
    out = np.empty(s.shape, dtype=complex if complex_input else float)
    for index, value in np.ndenumerate(s):
        out[index] = fn(complex(value) if complex_input else float(value))
    return out


def inner_product(a: Kernel, b: Kernel) -> float:
    """⟨a, b⟩ = ∫_0^∞ a(t) b(t) dt.

    Bilinear over sums and scalings; for an exponential sum b = Σ g_k e^{−λ_k t} it is
    Re Σ g_k ℒa(λ_k) in closed form (the cross term of the population loss); for a
    kernel with itself it is ‖a‖²_{L²}; otherwise adaptive quadrature.
    """
    if isinstance(a, Sum):
        return sum(inner_product(term, b) for term in a.terms)
    if isinstance(b, Sum):
        return sum(inner_product(a, term) for term in b.terms)
    if isinstance(a, Scaled):
        return a.factor * inner_product(a.kernel, b)
    if isinstance(b, Scaled):
        return b.factor * inner_product(a, b.kernel)
    if a is b or (a.spec_identifies and b.spec_identifies and a.spec == b.spec):
        return a.l2_norm_squared()
    for left, right in ((a, b), (b, a)):
        terms = right.exponential_terms()
        if terms is not None:
            weights, rates = terms
            return float(np.real(np.sum(weights * left.laplace_transform(rates))))
    if isinstance(a, Shifted) and isinstance(b, Shifted) and a.delay == b.delay:
        return inner_product(a.kernel, b.kernel)
    edges = np.concatenate([a.sign_change_times(), b.sign_change_times()])
    long = max(a.time_scales()[1], b.time_scales()[1])
    return integrate_pieces(lambda t: a(t) * b(t), _with_tail(np.unique(edges), long), "⟨a, b⟩")


@dataclass(frozen=True, eq=False, repr=False)
class Sum(Kernel):
    """ρ = Σ_k ρ_k. Nested sums are flattened."""

    terms: tuple[Kernel, ...]

    def __post_init__(self) -> None:
        flat: list[Kernel] = []
        for term in self.terms:
            if not isinstance(term, Kernel):
                raise SeqmemValueError(f"a Sum needs kernels; got {type(term).__name__}")
            flat.extend(term.terms if isinstance(term, Sum) else (term,))
        object.__setattr__(self, "terms", tuple(flat))

    def _evaluate(self, t):
        return sum(term._evaluate(t) for term in self.terms)

    def _integral(self, a, b):
        return sum(term._integral(a, b) for term in self.terms)

    def laplace_transform(self, s):
        return sum(term.laplace_transform(s) for term in self.terms)

    def t_weighted_laplace_transform(self, s):
        return sum(term.t_weighted_laplace_transform(s) for term in self.terms)

    @functools.cached_property
    def _l2_squared(self) -> float:
        # Σ_ij ⟨ρ_i, ρ_j⟩ in closed form, unless its terms cancel (a kernel minus its
        # approximant): then the exponential-sum or quadrature route of seqmem.kernels.norms
        from seqmem.kernels import norms

        if norms.merged_exponential_terms(self) is None:
            pairs = [inner_product(a, b) for a in self.terms for b in self.terms]
            value = math.fsum(pairs)
            if sum(abs(p) for p in pairs) <= 1e3 * abs(value):
                return value
        return _accurate(norms.l2_norm_with_error(self), "‖ρ‖_L²", self.spec).value ** 2

    def time_scales(self):
        scales = [term.time_scales() for term in self.terms]
        return min(s for s, _ in scales), max(long for _, long in scales)

    def breakpoints(self):
        return tuple(sorted({t for term in self.terms for t in term.breakpoints()}))

    def sign(self):
        signs = {term.sign() for term in self.terms}
        return signs.pop() if len(signs) == 1 else 0

    def exponential_terms(self):
        parts = [term.exponential_terms() for term in self.terms]
        if any(part is None for part in parts):
            return None
        return (
            np.concatenate([weights for weights, _ in parts]),
            np.concatenate([rates for _, rates in parts]),
        )

    @property
    def spec(self) -> str:
        text = self.terms[0].spec
        for term in self.terms[1:]:
            spec = term.spec
            text += spec if spec.startswith("-") else "+" + spec
        return text


@dataclass(frozen=True, eq=False, repr=False)
class Scaled(Kernel):
    """ρ = factor · kernel."""

    factor: float
    kernel: Kernel

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "factor", check_real("factor", self.factor, owner="a Scaled kernel")
        )

    def _evaluate(self, t):
        return self.factor * self.kernel._evaluate(t)

    def _integral(self, a, b):
        return self.factor * self.kernel._integral(a, b)

    def laplace_transform(self, s):
        return self.factor * self.kernel.laplace_transform(s)

    def t_weighted_laplace_transform(self, s):
        return self.factor * self.kernel.t_weighted_laplace_transform(s)

    def l1_norm(self) -> float:
        return abs(self.factor) * self.kernel.l1_norm()

    def l2_norm_squared(self) -> float:
        return self.factor**2 * self.kernel.l2_norm_squared()

    def time_scales(self):
        return self.kernel.time_scales()

    def breakpoints(self):
        return self.kernel.breakpoints()

    def sign(self):
        return int(np.sign(self.factor)) * self.kernel.sign()

    def exponential_terms(self):
        terms = self.kernel.exponential_terms()
        return None if terms is None else (self.factor * terms[0], terms[1])

    @property
    def spec(self) -> str:
        inner = self.kernel.spec
        if _is_compound(inner):
            inner = f"({inner})"
        if abs(self.factor) == 1:
            return inner if self.factor > 0 else f"-{inner}"
        return f"{format_number(self.factor)}*{inner}"


@dataclass(frozen=True, eq=False, repr=False)
class Shifted(Kernel):
    """ρ(t) = kernel(t − delay) for t ≥ delay, 0 before: the same memory placed further back.

    ℒρ(s) = e^{−s·delay} ℒkernel(s); the norms are unchanged.
    """

    kernel: Kernel
    delay: float

    def __post_init__(self) -> None:
        delay = check_positive("shift", self.delay, owner="a shifted kernel", allow_zero=True)
        object.__setattr__(self, "delay", delay)

    def _evaluate(self, t):
        return self.kernel(t - self.delay)

    def _integral(self, a, b):
        return self.kernel.integrate(a - self.delay, b - self.delay)

    def laplace_transform(self, s):
        s = np.asarray(s)
        return np.exp(-s * self.delay) * self.kernel.laplace_transform(s)

    def t_weighted_laplace_transform(self, s):
        s = np.asarray(s)
        inner = self.kernel.t_weighted_laplace_transform(s)
        return np.exp(-s * self.delay) * (inner + self.delay * self.kernel.laplace_transform(s))

    def l1_norm(self) -> float:
        return self.kernel.l1_norm()

    def l2_norm_squared(self) -> float:
        return self.kernel.l2_norm_squared()

    def time_scales(self):
        short, long = self.kernel.time_scales()
        return short, long + self.delay

    def breakpoints(self):
        return (self.delay, *(t + self.delay for t in self.kernel.breakpoints()))

    def sign(self):
        return self.kernel.sign()

    @property
    def spec(self) -> str:
        return f"shift({self.kernel.spec},by={format_number(self.delay)})"
