"""The algebra of kernels: sums, scalings and shifts, and the inner product ⟨ρ, σ⟩.

:class:`Sum` (ρ = Σ_k ρ_k), :class:`Scaled` (ρ = c·κ) and :class:`Shifted` (ρ = κ(· − d))
are kernels built from kernels, as ``ρ + σ``, ``c * ρ`` and ``ρ.shift(d)`` build them; each
answers the questions of :class:`~seqmem.kernels.base.Kernel` from its parts.
:func:`inner_product` is bilinear over them, in closed form wherever one side is an
exponential sum (the cross term of the population loss of §5).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError, check_positive, check_real
from seqmem.kernels.base import Kernel, format_number
from seqmem.kernels.quadrature import accurate, integrate_pieces, with_tail


def _is_compound(spec: str) -> bool:
    """True when a spec has a '+' or '-' outside parentheses (and not in an exponent)."""
    depth = 0
    for position, char in enumerate(spec):
        depth += {"(": 1, ")": -1}.get(char, 0)
        exponent = position > 1 and spec[position - 1] in "eE" and spec[position - 2].isdigit()
        if depth == 0 and position > 0 and char in "+-" and not exponent:
            return True
    return False


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
    return integrate_pieces(lambda t: a(t) * b(t), with_tail(np.unique(edges), long), "⟨a, b⟩")


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
        return accurate(norms.l2_norm_with_error(self), "‖ρ‖_L²", self.spec).value ** 2

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
