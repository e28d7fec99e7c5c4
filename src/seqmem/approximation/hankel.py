"""The Hankel operator of a memory kernel: its singular values and balanced truncation.

The Hankel operator of ρ maps a past input to the future output it leaves behind,

    (Γu)(t) = ∫_0^∞ ρ(t + s) u(s) ds,      Γ: L²(0, ∞) → L²(0, ∞),  symmetric,

and its singular values σ₁ ≥ σ₂ ≥ … bound what any width-m linear RNN can do (AAK,
Glover 1984): ‖ρ − ρ̂‖_{L¹} ≥ ‖G − Ĝ‖_{H∞} ≥ σ_{m+1} for every width-m kernel ρ̂, with
G = ℒρ; balanced truncation reaches ‖G − Ĝ‖_{H∞} ≤ 2 Σ_{k>m} σ_k (docs/mathematics.md §3.5;
the approximation theory is Li, Han, E, Li, ICLR 2021, §4). For a realisation
ρ(t) = cᵀe^{Wt}U the σ_k are √λ_k(PQ) with the Gramians WP + PWᵀ + UUᵀ = 0 and
WᵀQ + QW + ccᵀ = 0; ‖Γ‖²_HS = Σσ_k² = ∫_0^∞ t ρ(t)² dt for every kernel.

Three routes:

- **quadrature**, for completely monotone ρ (positive exponential sums, power laws, positive
  sums of them), and **gramian**, for every other exponential sum: the Gramians of a diagonal
  realisation, factored to high relative accuracy (:mod:`seqmem.approximation.gramians`);
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
import scipy.integrate
import scipy.linalg

from seqmem.approximation.gramians import exact_route
from seqmem.errors import SeqmemValueError, check_integer, check_positive
from seqmem.functional import grid_kernel
from seqmem.kernels import Kernel
from seqmem.kernels._numeric import EPS
from seqmem.kernels.scales import term_magnitude
from seqmem.rnn import LinearRNN

# Matrix route: default cells per shortest feature, largest default n, randomized solver.
_CELLS_PER_FEATURE = 16
_MAX_LENGTH = 2**20  # beyond: refused (the features span too many decades for one grid)
_POWER_ITERATIONS = 6
_NUMERICAL_RANK = 1e-12  # σ_m/σ₁ below this is rounding (grid weights, FFT products)
# The matrix route's default accuracy demand, relative to σ₁ (its grid reaches 1e-8..1e-12
# on smooth kernels; a coarser answer must be asked for).
MATRIX_RTOL = 1e-6


def hankel_singular_values(
    kernel: Kernel,
    count: int,
    *,
    method: str = "auto",
    dt: float | None = None,
    length: int | None = None,
    extrapolate: bool = True,
    seed: int = 0,
    rtol: float = MATRIX_RTOL,
) -> np.ndarray:
    """The leading Hankel singular values σ₁ ≥ … ≥ σ_count of ρ, shape (count,).

    Args:
        kernel: ρ.
        count: how many σ_k, ≥ 1 (zeros beyond the rank of a finite exponential sum).
        method: "quadrature" (completely monotone kernels only; exact nodes for exponential
            sums, a trapezoid rule in log s for power laws: relative error ≤ 1e-10 for
            σ_k ≥ 1e-9 σ₁ at ω ∈ [0.1, 4], measured against a 3× finer rule), "gramian"
            (exponential sums only, exact up to rounding), "matrix" (any kernel) or "auto"
            (quadrature when ρ is known to be completely monotone, else gramian for an
            exponential sum, else matrix).
        dt, length: the matrix route's grid step Δ and size n (default Δ = shortest
            feature/16 over all terms and nΔ = end of the features, n ≤ 2²⁰; see below).
        extrapolate: matrix route: Richardson-extrapolate from the grids Δ and 2Δ.
        seed: seed of the randomized solver's test matrix.
        rtol: matrix route: the accuracy demanded, relative to σ₁ (``math.inf``: none).
            Its error estimate (the extrapolated σ_k on the grids (Δ, 2Δ) against those on
            (2Δ, 4Δ), for the discretisation; (2∫_T^∞ tρ²)^{1/2}, for the cut at T = nΔ)
            must not exceed rtol·σ₁: a default grid is lengthened or refined (n ≤ 2²⁰)
            until it does, given ``dt`` or ``length`` are not; otherwise the call raises
            rather than return less accurate values.

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
        SeqmemValueError: on a bad argument, a method that does not apply to the kernel,
            a default grid longer than 2²⁰ steps (time scales too far apart), or a matrix
            route whose error estimate exceeds ``rtol``·σ₁.

    Example:
        >>> from seqmem.kernels import PowerLaw
        >>> sigma = hankel_singular_values(PowerLaw(omega=1.0), 3)
        >>> bool(sigma[0] > sigma[1] > sigma[2] > 0)
        True
    """
    owner = "hankel_singular_values"
    count = check_integer("count", count, owner=owner, minimum=1)
    seed = check_integer("seed", seed, owner=owner, minimum=0)
    rtol = math.inf if rtol == math.inf else check_positive("rtol", rtol, owner=owner)
    if not isinstance(extrapolate, bool):
        raise SeqmemValueError(f"the 'extrapolate' of {owner} must be a bool; got {extrapolate!r}")
    route = exact_route(kernel, method, owner)
    if route is not None:
        sigma = route.singular_values(count)
        return np.pad(sigma, (0, max(0, count - sigma.size)))[:count]
    step, size = _resolve_grid(kernel, dt, length, owner, count)
    refine = dt is None and length is None
    while refine and size // 4 < count:
        step, size = step / 2, 2 * size
    if size // 4 < count:
        raise SeqmemValueError(
            f"the 'length' of {owner} must be ≥ 4·count = {4 * count}; got {size}"
        )
    previous = math.inf
    while True:
        weights = grid_kernel(kernel, step, 2 * size + 2)
        sigma, estimate = grid_singular_values(weights, count, size, extrapolate, seed)
        truncation = _truncation_bound(kernel, size * step)
        estimate = estimate + truncation
        # rounding of the entries h_j moves every σ_k by up to ‖δH‖₂ ≤ Σ_j|δh_j|, and
        # |δK_j| ≤ 8ε ∫_cell Σ|terms of ρ| (the terms may cancel: a kernel minus itself)
        times = step * np.arange(2 * size + 2)
        rounding = 8.0 * EPS * step * float(np.sum(term_magnitude(kernel, times)))
        if np.max(estimate) <= rtol * sigma[0] + rounding:
            return sigma
        # a default grid is refined until it is accurate: a longer one while the cut at
        # T = nΔ dominates (unless even T = 2²⁰Δ cannot bring it down), else a finer one;
        # a refinement that does not halve the estimate will not converge in time
        if not refine or 2 * size > _MAX_LENGTH or np.max(estimate) > previous / 2:
            break
        previous = np.max(estimate)
        if truncation > rtol * sigma[0] / 2:
            if _truncation_bound(kernel, _MAX_LENGTH * step) > rtol * sigma[0]:
                break
            size *= 2
        else:
            step, size = step / 2, 2 * size
    worst = int(np.argmax(estimate))
    raise SeqmemValueError(
        f"the matrix route of {owner} reaches only ±{estimate[worst]:.2g} on σ_{worst + 1} "
        f"of {kernel.spec} (σ_1 = {sigma[0]:.6g}; Δ = {step:.3g}, n = {size}), above "
        f"rtol·σ_1 = {rtol * sigma[0]:.2g}: pass a smaller 'dt', a larger 'length' or a "
        "larger 'rtol'"
    )


def grid_singular_values(
    weights: np.ndarray, count: int, size: int, extrapolate: bool = True, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The matrix route from the grid weights K_j (j < 2n + 2): σ_1..σ_count and the
    estimate of their discretisation error."""
    sigmas = []
    for level in range(3):  # the grids Δ, 2Δ, 4Δ: cells merged in pairs, no new integrals
        cells = size >> level
        sigmas.append(np.abs(_top_eigenpairs(_Hankel(_averaged(weights), cells), count, seed)[0]))
        weights = weights[0 : 2 * cells : 2] + weights[1 : 2 * cells + 1 : 2]
    sigma, rough, rougher = sigmas
    if not extrapolate:
        extrapolated, check = sigma, rough
    else:
        extrapolated, check = sigma + (sigma - rough) / 3.0, rough + (rough - rougher) / 3.0
    # the same estimate one grid coarser: their difference bounds the finer one's error
    # (by 15× when the O(Δ⁴) expansion holds; taken whole, for kernels where it does not)
    return extrapolated, np.abs(extrapolated - check)


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

    Gramian route (other exponential sums): the square-root method. With P = L_P L_Pᴴ,
    Q = L_Q L_Qᴴ and L_Qᴴ L_P = Z S Yᴴ, T_l = S_m^{−1/2} Z_mᴴ L_Qᴴ and T_r = L_P Y_m S_m^{−1/2}
    give W = T_l A T_r, U = T_l B, c = C T_r (real when ρ has real rates; with oscillating
    modes the model is returned in modal form, one complex mode per conjugate pair).

    Matrix route (any ρ): eigensystem realisation (Kung 1978) of the averaged grid sequence
    h_j = (K_j + K_{j+1})/2 = cᵀA^j B′ with B′ = (I + A)B/2: from H ≈ Y_m S_m V_mᵀ,
    A = S^{−1/2}Y_mᵀ H↑ V_m S^{−1/2} (H↑_ij = h_{i+j+1}), B′ = S^{1/2}V_m[0]ᵀ,
    c = S^{1/2}Y_m[0]ᵀ; then B = 2(I + A)^{−1}B′, W = log(A)/Δ and U = (A − I)^{−1}WB, so
    that ``model.discretize(dt)`` returns (A, B) and K_j ≈ cᵀA^jB (exactly at full rank).
    This is the discrete balancing of the sampled system: it differs from the continuous
    balanced truncation by O(Δ) (measured: relative L² distance 0.055Δ for
    e^{−0.3t} + e^{−t}/2 + 2e^{−4t} at m = 2), so the bound holds up to O(Δ) (measured ≤ 0.8 %
    above 2Σσ_k on the default grid). On the quadrature and gramian routes a width beyond
    the rank r of the Hankel operator returns the exact width-r realisation. On the matrix
    route a width beyond the numerical rank of H (σ_m < 1e-12 σ₁) is refused rather than
    filled with rounding modes.

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
    route = exact_route(kernel, method, owner)
    if route is not None:
        return route.truncation(width)
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
            f"Δ = {step:.6g}); use a smaller 'width' or a finer 'dt'"
        )
    W = np.real(scipy.linalg.logm(A)) / step
    U = np.linalg.solve(A - np.eye(width), W @ B)
    return LinearRNN(W, U, c)


def _truncation_bound(kernel: Kernel, horizon: float) -> float:
    """(2∫_T^∞ t ρ(t)² dt)^{1/2} ≥ the change of every σ_k when Γ is cut to [0, T]²."""
    result = scipy.integrate.tanhsinh(lambda t: t * kernel(t) ** 2, horizon, np.inf, rtol=1e-6)
    return float(np.sqrt(2.0 * max(float(result.integral) + float(result.error), 0.0)))


# --- matrix route ---------------------------------------------------------------------
def _resolve_grid(
    kernel: Kernel, dt: object, length: object, owner: str, count: int
) -> tuple[float, int]:
    """(Δ, n): given values, or Δ = (shortest feature of any term)/16 and nΔ = the end of
    the last term's features; a default n beyond 2²⁰ is refused, not coarsened."""
    short, long = kernel.time_scales()
    if dt is not None:
        dt = check_positive("dt", dt, owner=owner)
    if length is not None:
        length = check_integer("length", length, owner=owner, minimum=2)
    if dt is None and length is None:
        dt = short / _CELLS_PER_FEATURE
        if long / dt > _MAX_LENGTH:
            raise SeqmemValueError(
                f"the matrix route of {owner} would need {math.ceil(long / dt)} grid steps for "
                f"{kernel.spec} (features from {short:.3g} to {long:.3g}; at most "
                f"{_MAX_LENGTH}): pass 'dt' and 'length' to accept a coarser grid"
            )
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
