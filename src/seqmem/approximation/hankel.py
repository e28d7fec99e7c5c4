"""The Hankel operator of a memory kernel: its singular values and balanced truncation.

The Hankel operator of ρ maps a past input to the future output it leaves behind,

    (Γu)(t) = ∫_0^∞ ρ(t + s) u(s) ds,      Γ: L²(0, ∞) → L²(0, ∞),  symmetric,

and its singular values σ₁ ≥ σ₂ ≥ … bound what any width-m linear RNN can do (AAK,
Glover 1984): ‖ρ − ρ̂‖_{L¹} ≥ ‖G − Ĝ‖_{H∞} ≥ σ_{m+1} for every width-m kernel ρ̂, with
G = ℒρ; balanced truncation reaches ‖G − Ĝ‖_{H∞} ≤ 2 Σ_{k>m} σ_k (THEORY.md §3 item 5;
the approximation theory is Li, Han, E, Li, ICLR 2021, §4). For a realisation
ρ(t) = cᵀe^{Wt}U the σ_k are √λ_k(PQ) with the Gramians WP + PWᵀ + UUᵀ = 0 and
WᵀQ + QW + ccᵀ = 0; ‖Γ‖²_HS = Σσ_k² = ∫_0^∞ t ρ(t)² dt for every kernel.

Two routes:

- **quadrature**, for completely monotone ρ(t) = ∫ e^{−st} μ(ds), μ ≥ 0 (positive
  exponential sums, power laws, positive sums of them). With μ ≈ Σ_i w_i δ_{s_i}, the
  diagonal realisation W = −diag(s), U = c = √w has P = Q = M, M_ij = √(w_i w_j)/(s_i + s_j),
  so Γ is positive semi-definite, σ_k = λ_k(M) and Σσ_k = tr Γ = ∫_0^∞ ρ(2t) dt = ‖ρ‖_{L¹}/2.
  M is a Cauchy matrix, factored by a pivoted Cholesky whose Schur complements stay Cauchy
  with generators b_i ← b_i tanh((v_i − v_p)/2), v = log s (high relative accuracy, O(N)
  per step); σ_k are the squared singular values of the factor.
- **matrix**, for any kernel: the Hankel matrix of the grid weights K_j of
  :func:`seqmem.functional.grid_kernel`, H_ij = (K_{i+j} + K_{i+j+1})/2, i, j < n. Its top
  singular values come from a randomized range finder (H is symmetric: Rayleigh–Ritz on a
  power-iterated block) whose products Hx are correlations done by FFT, O(n log n).

Example:
    >>> from seqmem.kernels import ExpSum
    >>> sigma = hankel_singular_values(ExpSum([1.0], [2.0]), 1)  # one mode: σ₁ = g/(2λ)
    >>> float(sigma[0])
    0.25
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft
import scipy.linalg
from scipy import special

from seqmem.errors import SeqmemValueError, check_integer, check_positive
from seqmem.functional import grid_kernel
from seqmem.kernels import ExpSum, GammaBump, Kernel, PowerLaw, Scaled, Sum
from seqmem.rnn import LinearRNN

METHODS = ("auto", "quadrature", "matrix")

# Quadrature route: trapezoid step in v = log s, dropped tail of μ (relative to tr Γ), and
# the pivoted Cholesky's stopping rule (residual trace relative to the count-th pivot).
_LOG_STEP = 0.15
_TAIL = 1e-17
_RESIDUAL = 1e-15
_MAX_NODES = 6_000  # ω ≳ 0.045; the final SVD costs O(N r²)
# Matrix route: default cells per shortest feature, largest default n, randomized solver.
_CELLS_PER_FEATURE = 16
_MAX_LENGTH = 2**15
_POWER_ITERATIONS = 6
_NUMERICAL_RANK = 1e-12  # σ_m/σ₁ below this is rounding (grid weights, FFT products)


def hankel_singular_values(
    kernel: Kernel,
    count: int,
    *,
    method: str = "auto",
    dt: float | None = None,
    length: int | None = None,
    extrapolate: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """The leading Hankel singular values σ₁ ≥ … ≥ σ_count of ρ, shape (count,).

    Args:
        kernel: ρ.
        count: how many σ_k, ≥ 1 (zeros beyond the rank of a finite exponential sum).
        method: "quadrature" (completely monotone kernels only; exact nodes for exponential
            sums, a trapezoid rule in log s for power laws: relative error ≤ 1e-10 for
            σ_k ≥ 1e-9 σ₁ at ω ∈ [0.1, 4], measured against a 3× finer rule), "matrix"
            (any kernel) or "auto" (quadrature when ρ is known to be completely monotone,
            else matrix).
        dt, length: the matrix route's grid step Δ and size n (default Δ = shortest
            feature/16 and nΔ = end of the features, n ≤ 2¹⁵; see below).
        extrapolate: matrix route: Richardson-extrapolate from the grids Δ and 2Δ.
        seed: seed of the randomized solver's test matrix.

    Matrix route. With the orthonormal cell functions φ_i = Δ^{−1/2}1_{[iΔ,(i+1)Δ)},
    ⟨φ_i, Γφ_j⟩ = Δ^{−1}∫ Λ(r − (i+j+1)Δ) ρ(r) dr (Λ the hat of height and half-width Δ)
    = (K_{i+j} + K_{i+j+1})/2 + O(Δ³): H is the Galerkin matrix of Γ up to O(Δ²) relative,
    with no scale factor (K_j ≈ Δρ carries the Δ). Measured: σ_k(H) − σ_k = O(Δ²) with an
    even expansion, so σ + (σ_Δ − σ_{2Δ})/3 is O(Δ⁴) (the 2Δ grid merges cell pairs; no
    new integrals). The plain [K_{i+j}] is first order: for ρ = e^{−t}, σ₁ = 1/(1 + e^{−Δ})
    = 1/2 + Δ/4 + …, while the averaged H gives 1/2 exactly. Truncating to i, j < n
    compresses Γ to [0, T]², T = nΔ: every σ_k decreases (interlacing) by at most
    ‖Γ − P_TΓP_T‖_HS ≤ (2∫_T^∞ t ρ² dt)^{1/2}, which is τ(T/τ)^{−ω}/√ω for a power law.
    The step loses the scales shorter than Δ in the same way. A power law's σ_k live on
    geometrically spaced time scales, so a uniform grid resolves only its first few σ_k
    (measured on the default grid Δ = τ/16, T = 10³τ: σ₁ within 2e-3 (ω = 0.25) and 3e-5
    (ω ≥ 0.5); at Δ = τ/8, T = 10⁴τ: σ₃ within 5e-2 (ω = 0.25), 4e-3 (ω = 2)); use the
    quadrature route for them.

    Raises:
        SeqmemValueError: on a bad argument, or method="quadrature" for a kernel not known
            to be completely monotone.

    Example:
        >>> from seqmem.kernels import PowerLaw
        >>> sigma = hankel_singular_values(PowerLaw(omega=1.0), 3)
        >>> bool(sigma[0] > sigma[1] > sigma[2] > 0)
        True
    """
    owner = "hankel_singular_values"
    count = check_integer("count", count, owner=owner, minimum=1)
    seed = check_integer("seed", seed, owner=owner, minimum=0)
    if not isinstance(extrapolate, bool):
        raise SeqmemValueError(f"the 'extrapolate' of {owner} must be a bool; got {extrapolate!r}")
    measure = _completely_monotone_measure(kernel, method, owner)
    if measure is not None:
        factor = _cauchy_factor(*measure, count)
        sigma = scipy.linalg.svd(factor, compute_uv=False) ** 2 if factor.size else np.zeros(0)
        return np.pad(sigma, (0, max(0, count - sigma.size)))[:count]
    step, size = _resolve_grid(kernel, dt, length, owner, count)
    weights = grid_kernel(kernel, step, 2 * size + 2)
    sigma = np.abs(_top_eigenpairs(_Hankel(_averaged(weights), size), count, seed)[0])
    if not extrapolate:
        return sigma
    coarse = size // 2
    if coarse < count:
        raise SeqmemValueError(
            f"the 'length' of {owner} must be ≥ 2·count = {2 * count} to extrapolate; got {size}"
        )
    merged = weights[0 : 2 * size : 2] + weights[1 : 2 * size + 1 : 2]
    rough = np.abs(_top_eigenpairs(_Hankel(_averaged(merged), coarse), count, seed)[0])
    return sigma + (sigma - rough) / 3.0


def balanced_truncation(
    kernel: Kernel,
    width: int,
    *,
    method: str = "auto",
    dt: float | None = None,
    length: int | None = None,
    seed: int = 0,
) -> LinearRNN:
    """The width-m balanced truncation of ρ, as an explicit stable :class:`LinearRNN`.

    Quadrature route (completely monotone ρ): P = Q = M = YΛYᵀ, so the orthogonal Yᵀ
    already balances the diagonal realisation; keeping the leading m eigenvectors Y_m,

        W = −Y_mᵀ diag(s) Y_m,   U = c = Y_mᵀ √w,

    a symmetric negative definite W (stable by construction) and a completely monotone ρ̂,
    with ‖G − Ĝ‖_{H∞} ≤ 2Σ_{k>m}σ_k (Glover 1984).

    Matrix route (any ρ): eigensystem realisation (Kung 1978) of the averaged grid sequence
    h_j = (K_j + K_{j+1})/2 = cᵀA^j B′ with B′ = (I + A)B/2: from H ≈ Y_m S_m V_mᵀ,
    A = S^{−1/2}Y_mᵀ H↑ V_m S^{−1/2} (H↑_ij = h_{i+j+1}), B′ = S^{1/2}V_m[0]ᵀ,
    c = S^{1/2}Y_m[0]ᵀ; then B = 2(I + A)^{−1}B′, W = log(A)/Δ and U = (A − I)^{−1}WB, so
    that ``model.discretize(dt)`` returns (A, B) and K_j ≈ cᵀA^jB (exactly at full rank).
    This is the discrete balancing of the sampled system: it differs from the continuous
    balanced truncation by O(Δ) (measured: relative L² distance 0.055Δ for
    e^{−0.3t} + e^{−t}/2 + 2e^{−4t} at m = 2), so the bound holds up to O(Δ) (measured ≤ 0.8 %
    above 2Σσ_k on the default grid). On the quadrature route a width beyond the rank r of
    the Hankel operator returns the exact width-r realisation. On the matrix route a width
    beyond the numerical rank of H (σ_m < 1e-12 σ₁) is refused rather than filled with
    rounding modes.

    Args:
        kernel: ρ.
        width: m ≥ 1.
        method, dt, length, seed: as in :func:`hankel_singular_values`.

    Raises:
        SeqmemValueError: on a bad argument, a width beyond the matrix route's rank, or when
            the matrix route's A has an eigenvalue with |λ| ≥ 1 or on the negative real axis
            (no stable real W = log(A)/Δ: a width beyond what the grid resolves).

    Example:
        >>> from seqmem.kernels import ExpSum
        >>> rho = ExpSum([1.0, 1.0], [1.0, 3.0])
        >>> model = balanced_truncation(rho, 2)
        >>> bool(abs(model.kernel(0.5) - rho(0.5)) < 1e-12)
        True
    """
    owner = "balanced_truncation"
    width = check_integer("width", width, owner=owner, minimum=1)
    seed = check_integer("seed", seed, owner=owner, minimum=0)
    measure = _completely_monotone_measure(kernel, method, owner)
    if measure is not None:
        log_rates, gains = measure
        factor = _cauchy_factor(log_rates, gains, width)
        # beyond the rank r of the Hankel operator the truncation is the exact rank-r system
        width = min(width, factor.shape[1])
        vectors = scipy.linalg.svd(factor, full_matrices=False)[0][:, :width]
        rates = np.exp(log_rates)
        W = -(vectors.T * rates) @ vectors
        u = vectors.T @ np.exp(0.5 * (log_rates + np.log(2.0 * gains)))  # √w = √(2 s b²)
        return LinearRNN(0.5 * (W + W.T), u, u)
    step, size = _resolve_grid(kernel, dt, length, owner, width)
    sequence = _averaged(grid_kernel(kernel, step, 2 * size + 2))
    values, vectors = _top_eigenpairs(_Hankel(sequence, size), width, seed)
    if abs(values[-1]) <= _NUMERICAL_RANK * abs(values[0]):
        raise SeqmemValueError(
            f"the 'width' of {owner} must not exceed the numerical rank of the Hankel matrix "
            f"of {kernel.spec}: σ_{width}/σ_1 = {abs(values[-1] / values[0]):.2g} ≤ "
            f"{_NUMERICAL_RANK:g}; got {width}"
        )
    root = np.sqrt(np.abs(values))
    right = vectors * np.sign(values)
    shifted = _Hankel(sequence[1:], size)
    A = (vectors.T @ shifted(right)) / np.outer(root, root)
    B = 2.0 * np.linalg.solve(np.eye(width) + A, root * right[0])
    c = root * vectors[0]
    eigenvalues = np.linalg.eigvals(A)
    worst = eigenvalues[np.argmax(np.abs(eigenvalues))]
    negative = eigenvalues[(np.abs(eigenvalues.imag) <= 1e-12) & (eigenvalues.real <= 0)]
    if abs(worst) >= 1.0 or negative.size:
        bad = worst if abs(worst) >= 1.0 else negative[0]
        raise SeqmemValueError(
            f"the width-{width} realisation of {kernel.spec} from the Hankel matrix has the "
            f"discrete eigenvalue {bad:.6g} (|λ| ≥ 1 or λ ≤ 0: no stable W = log(A)/Δ at "
            f"Δ = {step:g}); use a smaller 'width' or a finer 'dt'"
        )
    W = np.real(scipy.linalg.logm(A)) / step
    U = np.linalg.solve(A - np.eye(width), W @ B)
    return LinearRNN(W, U, c)


# --- quadrature route -----------------------------------------------------------------
def _completely_monotone_measure(
    kernel: Kernel, method: str, owner: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """(v, b²) with ρ ≈ Σ_i 2e^{v_i}b_i² e^{−e^{v_i}t} for the quadrature route, else None."""
    if method not in METHODS:
        raise SeqmemValueError(f"the 'method' of {owner} must be one of {METHODS}; got {method!r}")
    if method == "matrix":
        return None
    measure = _measure(kernel)
    if measure is None and method == "quadrature":
        raise SeqmemValueError(
            f"method='quadrature' of {owner} needs a completely monotone kernel (positive "
            f"exponential sums, power laws, positive sums of them); {kernel.spec} is not known "
            "to be one: use method='matrix'"
        )
    return measure


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


def _cauchy_factor(log_rates: np.ndarray, gains: np.ndarray, count: int) -> np.ndarray:
    """L of shape (N, r) with LLᵀ ≈ M, M_ij = b_i b_j sech((v_i − v_j)/2) = √(w_iw_j)/(s_i+s_j).

    Diagonal pivoting; eliminating pivot p leaves the Cauchy matrix with generators
    b_i tanh((v_i − v_p)/2), so every pivot is computed to high relative accuracy. Stops at
    rank N, at a zero residual, or once r ≥ count and the residual trace (an absolute bound
    on the change of every eigenvalue) is below _RESIDUAL times the count-th pivot.
    """
    generators = np.sqrt(gains)
    columns, pivots = [], []
    for _ in range(log_rates.size):
        diagonal = generators**2
        p = int(np.argmax(diagonal))
        if diagonal[p] == 0.0:
            break
        pivots.append(diagonal[p])
        gap = 0.5 * (log_rates - log_rates[p])
        decay = np.exp(-np.abs(gap))
        sech = 2.0 * decay / (1.0 + decay**2)  # without overflow of cosh
        columns.append(generators * np.sign(generators[p]) * sech)
        generators = generators * np.tanh(gap)
        if len(pivots) >= count and np.sum(generators**2) <= _RESIDUAL * pivots[count - 1]:
            break
    return np.reshape(np.array(columns).T, (log_rates.size, len(columns)))


# --- matrix route ---------------------------------------------------------------------
def _resolve_grid(
    kernel: Kernel, dt: object, length: object, owner: str, count: int
) -> tuple[float, int]:
    """(Δ, n): given values, or Δ = short/16 and nΔ = end of features (n ≤ 2¹⁵)."""
    short, long = kernel.time_scales()
    if dt is not None:
        dt = check_positive("dt", dt, owner=owner)
    if length is not None:
        length = check_integer("length", length, owner=owner, minimum=2)
    if dt is None and length is None:
        dt = short / _CELLS_PER_FEATURE
        if long / dt > _MAX_LENGTH:
            dt = long / _MAX_LENGTH
    if length is None:
        length = max(2, math.ceil(long / dt))
    if dt is None:
        dt = long / length
    if length < count:
        raise SeqmemValueError(
            f"the 'length' of {owner} must be ≥ {count} (the number of singular values "
            f"asked for); got {length}"
        )
    return dt, length


def _averaged(weights: np.ndarray) -> np.ndarray:
    """h_j = (K_j + K_{j+1})/2 = ½∫_{jΔ}^{(j+2)Δ} ρ, the Galerkin entries of Γ."""
    return 0.5 * (weights[:-1] + weights[1:])


class _Hankel:
    """x ↦ Hx for H_ij = h_{i+j}, i, j < n, by FFT: (Hx)_i = (h ∗ reversed x)_{i+n−1}."""

    def __init__(self, sequence: np.ndarray, size: int) -> None:
        self.size = size
        self.sequence = sequence[: 2 * size - 1]
        self.fft_size = scipy.fft.next_fast_len(2 * size - 1, real=True)
        self.spectrum = scipy.fft.rfft(self.sequence, n=self.fft_size)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        transformed = scipy.fft.rfft(block[::-1], n=self.fft_size, axis=0)
        product = scipy.fft.irfft(self.spectrum[:, None] * transformed, n=self.fft_size, axis=0)
        return product[self.size - 1 : 2 * self.size - 1]

    def dense(self) -> np.ndarray:
        return scipy.linalg.hankel(self.sequence[: self.size], self.sequence[self.size - 1 :])


def _top_eigenpairs(operator: _Hankel, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The count eigenpairs of the symmetric H of largest |λ|: (λ, shape (count,); Y, (n, count)).

    Randomized subspace iteration (Halko, Martinsson, Tropp 2011): block of l = 2·count + 10
    Gaussian columns, _POWER_ITERATIONS products with re-orthonormalisation, then
    Rayleigh–Ritz. Dense ``eigh`` when 2l ≥ n.
    """
    n = operator.size
    block = 2 * count + 10
    if 2 * block >= n:
        values, vectors = scipy.linalg.eigh(operator.dense())
    else:
        rng = np.random.default_rng(seed)
        basis = np.linalg.qr(operator(rng.standard_normal((n, block))))[0]
        for _ in range(_POWER_ITERATIONS):
            basis = np.linalg.qr(operator(basis))[0]
        projected = basis.T @ operator(basis)
        values, small = np.linalg.eigh(0.5 * (projected + projected.T))
        vectors = basis @ small
    order = np.argsort(-np.abs(values))[:count]
    return values[order], vectors[:, order]
