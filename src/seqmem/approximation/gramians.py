"""The exact routes to the Hankel singular values and balanced truncation of a kernel.

Both work on a diagonal realisation ρ(t) = Σ_k g_k e^{−λ_k t} and its Gramians, which are
Cauchy-like matrices K_ij = x_i x̄_j/(μ_i + μ̄_j), factored by a pivoted Cholesky whose Schur
complements stay Cauchy-like (generators x_i ← x_i (μ_i − μ_p)/(μ_i + μ̄_p)): every pivot to
high relative accuracy, whatever the spread of the rates, O(N) per step.

- **quadrature**, for completely monotone ρ(t) = ∫ e^{−st} μ(ds), μ ≥ 0 (positive
  exponential sums, power laws, positive sums of them). With μ ≈ Σ_i w_i δ_{s_i}, the
  diagonal realisation W = −diag(s), U = c = √w has P = Q = M, M_ij = √(w_i w_j)/(s_i + s_j),
  so Γ is positive semi-definite, σ_k = λ_k(M) and Σσ_k = tr Γ = ∫_0^∞ ρ(2t) dt = ‖ρ‖_{L¹}/2;
  σ_k are the squared singular values of M's factor.
- **gramian**, for every other exponential sum (mixed signs, oscillating pairs): A = −diag(λ),
  B = 1, C = g has P_ij = 1/(λ_i + λ̄_j) and Q_ij = ḡ_i g_j/(λ̄_i + λ_j); σ_k are the singular
  values of L_Qᴴ L_P (the square-root method).

:func:`seqmem.approximation.hankel.hankel_singular_values` and ``balanced_truncation`` are
the entry points; kernels neither route applies to go to their matrix route.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
from scipy import special

from seqmem.errors import SeqmemValueError
from seqmem.kernels import ExpSum, GammaBump, Kernel, PowerLaw, Scaled, Sum
from seqmem.kernels._numeric import EPS
from seqmem.kernels.norms import merged_exponential_terms
from seqmem.rnn import LinearRNN

METHODS = ("auto", "quadrature", "gramian", "matrix")
# Quadrature route: trapezoid step in v = log s, dropped tail of μ (relative to tr Γ), and
# the pivoted Cholesky's stopping rule (residual trace relative to the count-th pivot).
_LOG_STEP = 0.15
_TAIL = 1e-17
_RESIDUAL = 1e-15
_MAX_NODES = 6_000  # ω ≳ 0.045; the final SVD costs O(N r²)


def exact_route(kernel: Kernel, method: str, owner: str) -> _Quadrature | _Gramian | None:
    """The exact or quadrature route that applies to ``kernel`` under ``method``; None: matrix."""
    if method not in METHODS:
        raise SeqmemValueError(f"the 'method' of {owner} must be one of {METHODS}; got {method!r}")
    if method == "matrix":
        return None
    measure = _measure(kernel) if method in ("auto", "quadrature") else None
    if measure is not None:
        return _Quadrature(*measure)
    if method == "quadrature":
        raise SeqmemValueError(
            f"method='quadrature' of {owner} needs a completely monotone kernel (positive "
            f"exponential sums, power laws, positive sums of them); {kernel.spec} is not known "
            "to be one: use method='gramian' (exponential sums) or 'matrix'"
        )
    terms = merged_exponential_terms(kernel)
    if terms is not None:
        return _Gramian(*terms)
    if method == "gramian":
        raise SeqmemValueError(
            f"method='gramian' of {owner} needs an exponential sum; {kernel.spec} is not one: "
            "use method='matrix'"
        )
    return None


def _measure(kernel: Kernel) -> tuple[np.ndarray, np.ndarray] | None:
    """Nodes v = log s and gains b² = w/(2s) = the diagonal of M (σ of each mode alone).

    Power law: (1 + t/τ)^{−(1+ω)} = ∫_0^∞ e^{−st} τ(τs)^ω e^{−τs}/Γ(1+ω) ds (substitute
    u = τs in Γ(1+ω)x^{−1−ω} = ∫u^ω e^{−ux}du, x = 1 + t/τ), so with u = e^v the
    trapezoid rule of step h gives b² = hτu^ω e^{−u}/(2Γ(1+ω)): spectrally accurate, the
    integrand being analytic in |Im v| < π/2. Nodes with u^ω < _TAIL·Γ(1+ω) are dropped:
    they carry less than _TAIL of tr Γ, so every σ_k moves by less than _TAIL·‖ρ‖_{L¹}/2.
    """
    if isinstance(kernel, ExpSum):
        weights, rates = kernel.weights, kernel.rates
        if np.iscomplexobj(rates) or np.iscomplexobj(weights) or np.any(weights < 0):
            return None
        keep = weights > 0
        return np.log(rates[keep]), weights[keep] / (2.0 * rates[keep])
    if isinstance(kernel, PowerLaw):
        omega, tau = kernel.omega, kernel.tau
        low = (math.log(_TAIL) + special.gammaln(1.0 + omega)) / omega
        high = math.log(80.0 + 10.0 * omega)
        if (high - low) / _LOG_STEP > _MAX_NODES:
            raise SeqmemValueError(
                f"the quadrature route needs more than {_MAX_NODES} nodes for {kernel.spec} "
                "(their number grows like 1/ω): 'omega' must be ≥ 0.045 for it"
            )
        v = np.arange(low, high, _LOG_STEP)
        log_gain = omega * v - np.exp(v) - special.gammaln(1.0 + omega)
        return v - math.log(tau), 0.5 * _LOG_STEP * tau * np.exp(log_gain)
    if isinstance(kernel, GammaBump) and kernel.k == 0:
        return np.zeros(1), np.array([0.5 * math.sqrt(2.0)])  # √2 e^{−t}
    if isinstance(kernel, Scaled) and kernel.factor > 0:
        inner = _measure(kernel.kernel)
        return None if inner is None else (inner[0], kernel.factor * inner[1])
    if isinstance(kernel, Sum):
        parts = [_measure(term) for term in kernel.terms]
        if any(part is None for part in parts):
            return None
        return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    return None


def _cauchy_factor(rates: np.ndarray, generators: np.ndarray, count: int) -> np.ndarray:
    """L of shape (N, r) with LLᴴ ≈ K, K_ij = x_i x̄_j/(μ_i + μ̄_j), Re μ > 0 (``rates`` μ,
    ``generators`` x): a Cauchy-like Hermitian positive semi-definite matrix.

    Diagonal pivoting; eliminating pivot p leaves the Cauchy-like matrix with generators
    x_i (μ_i − μ_p)/(μ_i + μ̄_p) (for real μ = e^v: tanh((v_i − v_p)/2)), so every pivot is
    computed to high relative accuracy. Stops at rank N, at a zero residual, or once
    r ≥ count and the residual trace (an absolute bound on the change of every eigenvalue)
    is below _RESIDUAL times the count-th pivot.
    """
    columns, pivots = [], []
    for _ in range(rates.size):
        diagonal = np.abs(generators) ** 2 / (2.0 * rates.real)
        p = int(np.argmax(diagonal))
        if diagonal[p] == 0.0:
            break
        pivots.append(diagonal[p])
        denominator = rates + np.conj(rates[p])
        columns.append(generators * np.conj(generators[p]) / denominator / math.sqrt(pivots[-1]))
        generators = generators * (rates - rates[p]) / denominator
        residual = np.sum(np.abs(generators) ** 2 / (2.0 * rates.real))
        if len(pivots) >= count and residual <= _RESIDUAL * pivots[count - 1]:
            break
    dtype = complex if np.iscomplexobj(generators) or np.iscomplexobj(rates) else float
    return np.reshape(np.array(columns, dtype=dtype).T, (rates.size, len(columns)))


class _Quadrature:
    """Completely monotone ρ ≈ Σ_i w_i e^{−s_i t}: P = Q = M, σ_k = λ_k(M) (module docstring)."""

    def __init__(self, log_rates: np.ndarray, gains: np.ndarray) -> None:
        self.rates = np.exp(log_rates)
        self.roots = np.sqrt(2.0 * self.rates * gains)  # √w_i

    def singular_values(self, count: int) -> np.ndarray:
        factor = _cauchy_factor(self.rates, self.roots, count)
        return scipy.linalg.svd(factor, compute_uv=False) ** 2 if factor.size else np.zeros(0)

    def truncation(self, width: int) -> LinearRNN:
        factor = _cauchy_factor(self.rates, self.roots, width)
        # beyond the rank r of the Hankel operator the truncation is the exact rank-r system
        width = min(width, factor.shape[1])
        vectors = scipy.linalg.svd(factor, full_matrices=False)[0][:, :width]
        W = -(vectors.T * self.rates) @ vectors
        u = vectors.T @ self.roots
        return LinearRNN(0.5 * (W + W.T), u, u)


class _Gramian:
    """ρ = Σ g_k e^{−λ_k t}, A = −diag(λ), B = 1, C = g: the square-root method."""

    def __init__(self, weights: np.ndarray, rates: np.ndarray) -> None:
        self.real = not (np.any(rates.imag != 0) or np.any(weights.imag != 0))
        self.weights = weights.real if self.real else weights
        self.rates = rates.real if self.real else rates
        size = self.rates.size
        if size == 0:  # the terms cancel exactly: Γ = 0
            self.sigma = np.zeros(0)
            return
        controllability = _cauchy_factor(self.rates, np.ones(size, self.rates.dtype), size)
        observability = _cauchy_factor(np.conj(self.rates), np.conj(self.weights), size)
        self.left, self.factor = observability, controllability
        self.z, self.sigma, self.yh = scipy.linalg.svd(np.conj(observability.T) @ controllability)

    def singular_values(self, count: int) -> np.ndarray:
        return self.sigma[:count]

    def truncation(self, width: int) -> LinearRNN:
        if self.sigma.size == 0:
            raise SeqmemValueError("balanced_truncation needs a nonzero kernel; its terms cancel")
        # σ_k at rounding level carry no direction: the exact rank is where they start
        rank = int(np.sum(self.sigma > self.rates.size * EPS * self.sigma[0]))
        width = min(width, rank)
        scale = 1.0 / np.sqrt(self.sigma[:width])
        to_balanced = (np.conj(self.z[:, :width].T) @ np.conj(self.left.T)) * scale[:, None]
        from_balanced = (self.factor @ np.conj(self.yh[:width].T)) * scale
        W = to_balanced @ (-self.rates[:, None] * from_balanced)
        U = to_balanced @ np.ones(self.rates.size)
        c = self.weights @ from_balanced
        if self.real:
            return LinearRNN(W.real, U.real, c.real)
        # a real kernel with oscillating modes: a real realisation of its modal form, each
        # conjugate pair ĝe^{λt} + c.c. (λ = a + ib) as the block [[a, −b], [b, a]] driven
        # by (1, 0) and read by (2 Re ĝ, −2 Im ĝ)
        eigenvalues, vectors = np.linalg.eig(W)
        gains = (c @ vectors) * np.linalg.solve(vectors, U)
        real = np.abs(eigenvalues.imag) <= 1e-9 * np.abs(eigenvalues)
        upper = np.flatnonzero(~real & (eigenvalues.imag > 0))
        size = int(np.sum(real)) + 2 * upper.size
        A, B, C = np.zeros((size, size)), np.zeros(size), np.zeros(size)
        position = 0
        for index in np.flatnonzero(real):
            A[position, position] = eigenvalues[index].real
            B[position], C[position] = 1.0, gains[index].real
            position += 1
        for index in upper:
            a, b = eigenvalues[index].real, eigenvalues[index].imag
            block = slice(position, position + 2)
            A[block, block] = [[a, -b], [b, a]]
            B[position], C[block] = 1.0, [2 * gains[index].real, -2 * gains[index].imag]
            position += 2
        return LinearRNN(A, B, C)
