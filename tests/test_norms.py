"""Property tests of the error norms and Hankel routes against independent oracles.

Every truth here is computed in this file from SciPy/NumPy/mpmath primitives, never from
seqmem's own numerics:

- L¹ and L² norms: adaptive quadrature (``scipy.integrate.quad``) of |f| and f², split at
  every sign change (found by dense sampling + ``brentq``, and at seqmem's verified roots),
  at every decade and at a tail time beyond which the mass is bounded in closed form; L²
  also exactly, as Σ g_i g_j/(λ_i + λ_j) in 50-digit mpmath.
- Hankel singular values: the dense Gramians of the diagonal realisation A = −diag(λ),
  B = 1, C = g from ``scipy.linalg.solve_continuous_lyapunov``, σ = √eig(PQ).
- Balanced truncation: a square-root balanced truncation written here (eigh square roots,
  SVD), its kernel C_r e^{A_r t} B_r by ``scipy.linalg.expm``.
- Sign changes: sign tests of f on a dense grid, Descartes' rule of signs for exponential
  sums, and sums with known roots.

Tolerances are derived in one-line comments from float64 rounding (ε = 2⁻⁵²) and the
oracles' own error estimates; quad's warnings are silenced and its error estimate is used
instead.
"""

from __future__ import annotations

import itertools
import math
import warnings

import mpmath
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

from seqmem.approximation import (
    approximation_errors,
    balanced_truncation,
    hankel_singular_values,
)
from seqmem.kernels import ExpSum, from_spec
from seqmem.kernels.norms import l1_norm_with_error, l2_norm_with_error
from seqmem.kernels.roots import exponential_sign_changes

EPS = float(np.finfo(float).eps)


def check(name: str, error, tolerance, scale) -> None:
    """Assert error ≤ tolerance (elementwise); the message gives error/scale as well."""
    error, tolerance = np.asarray(error, dtype=float), np.asarray(tolerance, dtype=float)
    relative = np.max(error) / scale if scale > 0 else np.max(error)
    assert np.all(error <= tolerance), (
        f"{name}: error {error} > tolerance {tolerance} (relative {relative:.3g})"
    )


# --- strategies -----------------------------------------------------------------------
@st.composite
def exp_sums(
    draw,
    min_terms: int = 2,
    max_terms: int = 12,
    log_rates: tuple[float, float] = (-3.0, 3.0),
    max_pairs: int = 3,
    positive: bool = False,
    log_gap: tuple[float, float] | None = None,
):
    """(g, λ): 2..12 terms, rates log-uniform in 10^log_rates (or separated by log_gap
    decades), weights ±10^U(−1,1), and up to max_pairs conjugate pairs
    g e^{−(a ∓ ib)t} with b/a ∈ [0.1, 10] (sometimes on the slowest decays)."""
    terms = draw(st.integers(min_terms, max_terms))
    pairs = draw(st.integers(0, min(max_pairs, terms // 2)))
    modes = terms - pairs  # distinct decay rates
    if log_gap is None:
        logs = draw(st.lists(st.floats(*log_rates), min_size=modes, max_size=modes, unique=True))
    else:
        start = draw(st.floats(*log_rates))
        gaps = draw(st.lists(st.floats(*log_gap), min_size=modes - 1, max_size=modes - 1))
        logs = list(start + np.cumsum([0.0, *gaps]))
    decays = 10.0 ** np.array(logs)
    if draw(st.booleans()):  # the pairs on the slowest decays: an oscillating tail, many roots
        decays = np.sort(decays)[::-1]
    magnitudes = 10.0 ** np.array(
        draw(st.lists(st.floats(-1.0, 1.0), min_size=modes, max_size=modes))
    )
    signs = np.array(
        [1.0 if positive else draw(st.sampled_from([-1.0, 1.0])) for _ in range(modes)]
    )
    weights, rates = [], []
    for k in range(modes):
        if k < terms - 2 * pairs:
            weights.append(signs[k] * magnitudes[k])
            rates.append(decays[k])
        else:  # m e^{−at} cos(bt + φ) = (m/2)e^{iφ} e^{−(a−ib)t} + c.c.
            ratio = 10.0 ** draw(st.floats(-1.0, 1.0))
            phase = draw(st.floats(-math.pi, math.pi))
            half = 0.5 * magnitudes[k] * complex(math.cos(phase), math.sin(phase))
            lam = complex(decays[k], -ratio * decays[k])
            weights += [half, half.conjugate()]
            rates += [lam, lam.conjugate()]
    if pairs:
        return np.array(weights, dtype=complex), np.array(rates, dtype=complex)
    return np.array(weights, dtype=float), np.array(rates, dtype=float)


# --- oracle helpers -------------------------------------------------------------------
def evaluate(g, lam, t):
    """f(t) = Re Σ g_k e^{−λ_k t} (array or scalar t)."""
    return np.real(np.exp(-np.multiply.outer(np.asarray(t, dtype=float), lam)) @ g)


def rounding(g, lam, t):
    """Bound on |f̃(t) − f(t)|: each e^{−λt} is off by ε(1 + |λ|t) (λt rounded, then the
    exp amplifies it), product with g, complex exp and the N-term sum add (N + 4)ε."""
    t = np.asarray(t, dtype=float)
    envelope = np.abs(g) * np.exp(-np.multiply.outer(t, lam.real))
    return (g.size + 4) * EPS * (envelope * (1.0 + np.multiply.outer(t, np.abs(lam)))).sum(-1)


def tail_time(g, lam, fraction: float = 1e-17) -> float:
    """T with Σ|g_k|e^{−a_k T}/a_k ≤ fraction·Σ|g_k|/a_k (each term ≤ its N-th share)."""
    a, size = lam.real, np.abs(g)
    scale = np.sum(size / a)
    return float(np.max(np.log(np.maximum(size / a * g.size / (fraction * scale), 1.0)) / a))


def sample_grid(g, lam, horizon: float) -> np.ndarray:
    """100 points per decade from 10⁻³/max|λ| to the horizon, and 16 per period of each
    oscillating mode over its lifetime (≈ 45/a): resolves every feature of f."""
    start = 1e-3 / float(np.max(np.abs(lam)))
    parts = [[0.0], np.geomspace(start, horizon, int(100 * np.log10(horizon / start)) + 2)]
    for rate in lam[lam.imag > 0] if np.iscomplexobj(lam) else []:
        life = min(horizon, 45.0 / rate.real)
        parts.append(np.linspace(0.0, life, int(16 * life * rate.imag / (2 * np.pi)) + 2))
    return np.unique(np.concatenate(parts))


def sampled_roots(g, lam, grid: np.ndarray) -> np.ndarray:
    """Sign changes between decidable samples (|f̃| above its rounding), by brentq."""
    values = evaluate(g, lam, grid)
    decidable = np.abs(values) > rounding(g, lam, grid)
    t, v = grid[decidable], values[decidable]
    flips = np.flatnonzero(v[:-1] * v[1:] < 0)
    return np.array(
        [
            optimize.brentq(lambda x: float(evaluate(g, lam, x)), t[i], t[i + 1], xtol=1e-300)
            for i in flips
        ]
    )


def quad_pieces(function, edges: np.ndarray, absolute: float) -> tuple[float, float]:
    """Σ of quad over [edges_i, edges_{i+1}], and the sum of quad's error estimates."""
    total, error = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in itertools.pairwise(edges):
            value, estimate = integrate.quad(
                function, a, b, epsabs=absolute / edges.size, epsrel=1e-13, limit=200
            )[:2]
            total, error = total + value, error + estimate
    return total, error


def quadrature_norms(g, lam, roots=()) -> tuple[float, float, float, float]:
    """(∫|f|, its error, ∫f², its error) by quad, split at all roots, every decade and a
    tail time T; the error adds quad's estimates, the float rounding of f and the tail."""
    horizon = tail_time(g, lam)
    grid = sample_grid(g, lam, horizon)
    start = 1e-3 / float(np.max(np.abs(lam)))
    decades = 10.0 ** np.arange(math.floor(math.log10(start)), math.ceil(math.log10(horizon)))
    cuts = np.concatenate([[0.0, horizon], decades, sampled_roots(g, lam, grid), roots])
    edges = np.unique(cuts[(cuts >= 0) & (cuts <= horizon)])
    a, size, speed = lam.real, np.abs(g), np.abs(lam)
    mass = float(np.sum(size / a))  # ∫ Σ|g|e^{−at}: the scale of ∫|f|
    energy = float(np.sum(np.outer(size, size) / np.add.outer(a, a)))  # same for ∫f²

    def absolute(t):
        return abs(float(evaluate(g, lam, t)))

    l1, l1_quad = quad_pieces(absolute, edges, 1e-16 * mass)
    l2_squared, l2_quad = quad_pieces(lambda t: absolute(t) ** 2, edges, 1e-16 * energy)
    # ∫ rounding(t) dt in closed form: ∫e^{−at}(1 + |λ|t) = 1/a + |λ|/a²
    l1_round = (g.size + 4) * EPS * float(np.sum(size * (1 / a + speed / a**2)))
    # ‖rounding‖₂ ≤ Σ (N+4)ε|g|(‖e^{−at}‖₂ + |λ|‖te^{−at}‖₂) = …(1/√(2a) + |λ|/(2a^{3/2}))
    delta = (g.size + 4) * EPS * float(np.sum(size * (1 / np.sqrt(2 * a) + speed / (2 * a**1.5))))
    # ∫_T^∞|f| ≤ Σ|g|e^{−aT}/a and ‖f·1_{t>T}‖₂ ≤ Σ|g|e^{−aT}/√(2a)
    tail1 = float(np.sum(size * np.exp(-a * horizon) / a))
    tail2 = float(np.sum(size * np.exp(-a * horizon) / np.sqrt(2 * a)))
    l1_error = l1_quad + l1_round + tail1
    # |f̃² − f²| ≤ 2|f|δ + δ²: Cauchy–Schwarz with ‖f‖₂ ≤ √(∫f̃² + …)
    root = math.sqrt(l2_squared + l2_quad) + delta
    l2_error = l2_quad + 2 * root * delta + delta**2 + 2 * root * tail2 + tail2**2
    return l1, l1_error, l2_squared, l2_error


def mpmath_l2(g, lam, digits: int = 50) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(‖f‖₂, bound on its error): Σ g_i g_j/(λ_i + λ_j) exact for the floats given, in
    `digits` digits (each of the N² terms off by ≤ 10^{1−digits} relative)."""
    with mpmath.workdps(digits):
        w = [mpmath.mpc(complex(x)) for x in g]
        r = [mpmath.mpc(complex(x)) for x in lam]
        modes = list(zip(w, r, strict=True))
        terms = [wi * wj / (li + lj) for wi, li in modes for wj, lj in modes]
        squared = mpmath.re(mpmath.fsum(terms))
        error = len(terms) * mpmath.mpf(10) ** (1 - digits) * mpmath.fsum(map(abs, terms))
        value = mpmath.sqrt(squared)
        return value, error / value


def diagonal_gramians(g, lam):
    """P, Q of A = −diag(λ), B = 1, C = g by solve_continuous_lyapunov (A is diagonal, so
    its Schur form is itself and each Gramian entry is one division: ≤ 4ε relative)."""
    A = np.diag(-lam)
    B = np.ones((lam.size, 1), dtype=lam.dtype)
    C = np.asarray(g, dtype=lam.dtype)[None, :]
    P = scipy.linalg.solve_continuous_lyapunov(A, -B @ B.conj().T)
    Q = scipy.linalg.solve_continuous_lyapunov(A.conj().T, -C.conj().T @ C)
    return A, B, C, P, Q


def cluster_max(values: np.ndarray, tolerances: np.ndarray) -> np.ndarray:
    """Each tolerance raised to the largest in its cluster of overlapping intervals
    [v − t, v + t] (values sorted descending): sorted matching is then sound."""
    out, start = tolerances.copy(), 0
    for k in range(1, values.size + 1):
        if k == values.size or values[k - 1] - tolerances[k - 1] > values[k] + tolerances[k]:
            out[start:k] = np.max(tolerances[start:k])
            start = k
    return out


def gramian_route_error(g, lam) -> float:
    """Absolute bound on the σ_k of the Cauchy-factor routes: after ≤ N pivots each factor
    entry is off by ≤ 13Nε relative (8ε per generator update, 5ε per column), so
    ‖δ(L_Qᴴ L_P)‖ ≤ 28Nε‖L_Q‖_F‖L_P‖_F = 28Nε√(tr P tr Q); the SVD adds Nεσ₁ (Weyl)."""
    trace_p = float(np.sum(1 / (2 * lam.real)))
    trace_q = float(np.sum(np.abs(g) ** 2 / (2 * lam.real)))
    return 28 * g.size * EPS * math.sqrt(trace_p * trace_q)


def square_root_truncation(g, lam, width: int):
    """(A_r, B_r, C_r) of the square-root balanced truncation of the diagonal realisation,
    from eigh square roots of the Lyapunov Gramians and an SVD."""
    A, B, C, P, Q = diagonal_gramians(g, lam)

    def root(M):
        values, vectors = scipy.linalg.eigh(0.5 * (M + M.conj().T))
        return vectors * np.sqrt(np.maximum(values, 0.0))

    LP, LQ = root(P), root(Q)
    Z, S, Yh = scipy.linalg.svd(LQ.conj().T @ LP)
    scale = 1 / np.sqrt(S[:width])
    left = (Z[:, :width].conj().T @ LQ.conj().T) * scale[:, None]
    right = (LP @ Yh[:width].conj().T) * scale
    return left @ A @ right, left @ B, C @ right, P, Q


def sign_consistency(g, lam, roots: np.ndarray, horizon: float) -> int:
    """Checks seqmem's roots against sign tests of f: between consecutive test points where
    f's sign is decidable (|f̃| above its rounding), the number of reported roots must be odd
    exactly when the signs differ. Test points: a dense grid and the midpoints between
    consecutive roots. Returns how many root-separating intervals were decided."""
    roots = np.sort(roots[roots > 0])
    grid = sample_grid(g, lam, horizon)
    middles = 0.5 * (roots[:-1] + roots[1:]) if roots.size > 1 else np.zeros(0)
    ends = [0.5 * roots[0], 0.5 * (roots[-1] + horizon)] if roots.size else []
    points = np.unique(np.concatenate([grid, middles, ends]))
    points = points[points <= horizon]
    values = evaluate(g, lam, points)
    decidable = np.abs(values) > rounding(g, lam, points)
    t, v = points[decidable], np.sign(values[decidable])
    counts = np.diff(np.searchsorted(roots, t))  # roots strictly between t_i and t_{i+1}
    flips = v[:-1] != v[1:]
    bad = np.flatnonzero(flips != (counts % 2 == 1))
    assert bad.size == 0, (
        f"sign of f disagrees with the reported roots between t = {t[bad[0]]!r} and "
        f"{t[bad[0] + 1]!r} ({counts[bad[0]]} roots there, signs {v[bad[0]]}, {v[bad[0] + 1]})"
    )
    return int(np.sum(counts > 0))


# --- 1. L¹ and L² norms ---------------------------------------------------------------
@settings(max_examples=40)
@given(exp_sums())
def test_norms_match_split_quadrature_and_closed_form(sum_):
    """Truth: quad of |f| and f² split at all sign changes, every decade and a tail time
    (1e-8 relative + the oracle's error); and ‖f‖₂² = Σ g_i g_j/(λ_i + λ_j) in mpmath,
    exact for the floats given, which seqmem's error bound must cover."""
    g, lam = sum_
    kernel = ExpSum(g, lam)
    l1, l2 = l1_norm_with_error(kernel), l2_norm_with_error(kernel)
    changes = exponential_sign_changes(g, lam)
    sign_consistency(g, lam, changes.roots, changes.horizon)
    oracle1, error1, oracle2_squared, error2_squared = quadrature_norms(g, lam, changes.roots)

    # 1e-8 relative is the agreement asked for; both sides claim far better (seqmem ~1e-15,
    # quad asked for 1e-13), so only a real discrepancy can exceed it
    check("L1 vs quad", abs(l1.value - oracle1), 1e-8 * oracle1 + error1, oracle1)
    oracle2 = math.sqrt(oracle2_squared)
    # |√x − √y| ≤ |x − y|/√y carries the squared norm's error to the norm (≤ √|x − y| at y = 0,
    # where the terms cancel exactly)
    carried = error2_squared / oracle2 if oracle2 > 0 else math.sqrt(error2_squared)
    check("L2 vs quad", abs(l2.value - oracle2), 1e-8 * oracle2 + carried, oracle2)
    # not asserted (quad's estimate is no bound): how much of seqmem's L¹ bound is used

    exact, exact_error = mpmath_l2(g, lam)
    with mpmath.workdps(50):
        gap = float(abs(mpmath.mpf(l2.value) - exact))
    norm = float(exact)
    # the exact oracle is off by ≤ exact_error (~1e-45): seqmem's bound must cover the rest
    check("L2 vs mpmath, within seqmem's bound", gap, l2.error + float(exact_error), norm)
    check("L2 vs mpmath, within 1e-8", gap, 1e-8 * norm, norm)


# --- 2. the reproducer ----------------------------------------------------------------
def test_balanced_truncation_reproducer():
    """Truth: the quoted values of an independent adaptive-quadrature check (to the digits
    quoted) and this file's quad oracle on ρ − ρ̂ with ρ̂ from eig(W) here."""
    kernel = from_spec("exp(rate=0.001)+exp(rate=10)+exp(rate=100)")
    model = balanced_truncation(kernel, 2)
    errors = approximation_errors(kernel, model)
    # the quoted numbers are rounded to their last digit: within half a unit of it
    check("reproducer l1 = 0.0373213", abs(errors.l1 - 0.0373213), 0.5e-7, 0.0373213)
    check("reproducer l2 = 0.0442909", abs(errors.l2 - 0.0442909), 0.5e-7, 0.0442909)
    rates = np.sort(-np.linalg.eigvals(np.atleast_2d(model.W)).real)
    check("reproducer rate 0.00100003", abs(rates[0] - 0.00100003), 0.5e-8, 0.00100003)
    check("reproducer rate 13.278", abs(rates[1] - 13.278), 0.5e-3, 13.278)

    # ρ̂ = cᵀe^{Wt}U in modal form from an eigendecomposition done here
    W = np.asarray(model.W, dtype=float)
    values, vectors = np.linalg.eig(W)
    modal = (np.asarray(model.c) @ vectors) * np.linalg.solve(vectors, np.asarray(model.U)[:, 0])
    g = np.concatenate([[1.0, 1.0, 1.0], -modal.real])
    lam = np.concatenate([[1e-3, 10.0, 100.0], -values.real])
    oracle1, error1, oracle2_squared, error2_squared = quadrature_norms(g, lam)
    oracle2 = math.sqrt(oracle2_squared)
    # eig's modal form is exact to ~1e-13 relative (cond(V) ~ 1): well inside 1e-8
    check("reproducer L1 vs quad", abs(errors.l1 - oracle1), 1e-8 * oracle1 + error1, oracle1)
    check(
        "reproducer L2 vs quad",
        abs(errors.l2 - oracle2),
        1e-8 * oracle2 + error2_squared / oracle2,
        oracle2,
    )


# --- 3. Hankel singular values --------------------------------------------------------
@settings(max_examples=40)
@given(exp_sums(max_terms=6, log_rates=(-1.5, 0.0), log_gap=(0.2, 0.6), max_pairs=1))
def test_gramian_route_matches_dense_lyapunov(sum_):
    """Truth: σ_k² = λ_k(PQ) with P, Q from solve_continuous_lyapunov on the diagonal
    realisation; the tolerance is each eigenvalue's condition number times the rounding."""
    g, lam = sum_
    sigma = hankel_singular_values(ExpSum(g, lam), g.size, method="gramian")
    _, _, _, P, Q = diagonal_gramians(g, lam)
    eigenvalues, left, right = scipy.linalg.eig(P @ Q, left=True, right=True)
    order = np.argsort(-eigenvalues.real)
    squared = eigenvalues.real[order]
    # κ_k = 1/|y_kᴴx_k| for unit eigenvectors (scipy normalises them)
    kappa = 1 / np.abs(np.sum(left.conj() * right, axis=0))[order]
    # δP, δQ ≤ 4ε entrywise, the product Nε, eig's backward error Nε‖PQ‖: ≤ 8Nε‖P‖‖Q‖
    perturbation = 8 * g.size * EPS * np.linalg.norm(P) * np.linalg.norm(Q)
    own = gramian_route_error(g, lam)  # seqmem's σ_k error, carried to σ_k²: 2σ_k·own
    tolerance = cluster_max(squared, kappa * perturbation + 2 * sigma * own + own**2)
    check("gramian vs Lyapunov σ²", np.abs(sigma**2 - squared), tolerance, sigma[0] ** 2)


@settings(max_examples=20)
@given(exp_sums(max_terms=5, log_rates=(math.log10(0.3), math.log10(30.0)), max_pairs=0))
def test_matrix_route_matches_gramian(sum_):
    """Truth: the exact Gramian route; the matrix route promises |error| ≤ rtol·σ₁ (its
    estimate is one grid coarser's difference, ≥ the real error by ~15× when O(Δ⁴) holds)."""
    g, lam = sum_
    kernel = ExpSum(g, lam)
    count = min(g.size, 3)
    exact = hankel_singular_values(kernel, count, method="gramian")
    rtol = 1e-6
    grid = hankel_singular_values(kernel, count, method="matrix", rtol=rtol)
    # rtol·σ₁ is the route's contract; the exact route's rounding is ~1e-13σ₁ on top
    tolerance = rtol * exact[0] + gramian_route_error(g, lam)
    check("matrix vs gramian σ", np.abs(grid - exact), tolerance, exact[0])


@settings(max_examples=40)
@given(exp_sums(max_pairs=0, positive=True))
def test_quadrature_route_matches_gramian(sum_):
    """Truth: for positive weights both exact routes must agree to their rounding (over six
    decades of rates, where dense Gramians would be useless)."""
    g, lam = sum_
    kernel = ExpSum(g, lam)
    cm = hankel_singular_values(kernel, g.size, method="quadrature")
    gram = hankel_singular_values(kernel, g.size, method="gramian")
    # both routes' Cauchy-factor rounding (gramian_route_error, the same derivation with
    # P = Q = M for the quadrature one) plus its stopping rule (residual ≤ 1e-15σ₁)
    tolerance = 2 * gramian_route_error(g, lam) + 1e-15 * gram[0]
    check("quadrature vs gramian σ", np.abs(cm - gram), tolerance, gram[0])


# --- 4. balanced truncation -----------------------------------------------------------
@settings(max_examples=25)
@given(exp_sums(max_terms=5, log_rates=(-1.5, 0.0), log_gap=(0.2, 0.6), max_pairs=1))
def test_balanced_truncation_matches_square_root_method(sum_):
    """Truth: the square-root balanced truncation of the dense Lyapunov Gramians, its kernel
    C_r e^{A_r t} B_r by expm; and AAK: ‖ρ − ρ̂‖_{L¹} ≥ ‖G − Ĝ‖_{H∞} ≥ σ_{m+1}."""
    g, lam = sum_
    kernel = ExpSum(g, lam)
    n = g.size
    sigma = hankel_singular_values(kernel, n, method="gramian")
    own = gramian_route_error(g, lam)
    times = np.geomspace(1e-2 / np.max(np.abs(lam)), 30 / np.min(lam.real), 60)
    scale = float(np.sum(np.abs(g)))  # ≥ sup|ρ|: the size of the kernels compared
    for width in range(1, n):
        model = balanced_truncation(kernel, width)
        errors = approximation_errors(kernel, model)
        # AAK lower bound, up to the tolerances of both sides
        assert errors.l1 + errors.l1_tolerance + own >= sigma[width], (width, errors, sigma)

        A_r, B_r, C_r, P, Q = square_root_truncation(g, lam, width)
        # first order: Gramian square roots off by Nε(√κ_P + √κ_Q)√(‖P‖‖Q‖) (eigh), the
        # dominant singular subspaces move by that over the gap (Wedin), and S_m^{-1/2}
        # scales the change by σ₁/σ_m
        gap = sigma[width - 1] - sigma[width]
        conditioning = math.sqrt(np.linalg.cond(P)) + math.sqrt(np.linalg.cond(Q))
        norms = math.sqrt(np.linalg.norm(P, 2) * np.linalg.norm(Q, 2))
        relative = n * EPS * conditioning * norms / gap * sigma[0] / sigma[width - 1]
        if relative > 1e-6:
            continue  # a near-degenerate cut: not a well-conditioned case
        oracle = np.array([(C_r @ scipy.linalg.expm(A_r * t) @ B_r).item() for t in times])
        got = np.asarray(model.kernel(times))
        check("truncated kernel", np.max(np.abs(got - oracle.real)), relative * scale, scale)


# --- 5. sign changes ------------------------------------------------------------------
@settings(max_examples=40)
@given(exp_sums(max_pairs=0))
def test_sign_changes_obey_descartes_and_sign_tests(sum_):
    """Truth: Descartes' rule for exponential sums (zeros ≤ sign changes of the weights
    ordered by rate) and the sign of f on a dense grid and between consecutive roots."""
    g, lam = sum_
    changes = exponential_sign_changes(g, lam)
    ordered = g[np.argsort(lam)]
    descartes = int(np.sum(ordered[:-1] * ordered[1:] < 0))
    assert changes.roots.size <= descartes, (changes.roots, g, lam)
    sign_consistency(g, lam, changes.roots, changes.horizon)


def check_roots(g, lam, expected) -> None:
    """seqmem's positive roots are the expected ones, each within brentq's 4ε relative plus
    f's rounding over its slope there (rounding/|f′| moves a root that far), and each is
    confirmed by a decidable sign test on both sides."""
    changes = exponential_sign_changes(g, lam)
    found = np.sort(changes.roots[changes.roots > 0])
    assert found.size == len(expected), (found, expected)
    for root, truth in zip(found, expected, strict=True):
        t = float(truth)
        derivative = abs(float(np.sum(-lam * g * np.exp(-lam * t))))
        allowed = 4 * EPS * t + float(rounding(g, lam, t)) / derivative
        check("known roots", abs(root - t), allowed, t)
    assert sign_consistency(g, lam, changes.roots, changes.horizon) == found.size


def polynomial_roots(coefficients) -> list[float]:
    """The roots t > 0 of Σ_k c_k e^{−(k+1)t} = x·p(x), x = e^{−t}, p with the float
    coefficients given (highest power first): real roots x ∈ (0, 1) in 50-digit mpmath."""
    with mpmath.workdps(50):
        ascending = [mpmath.mpf(float(c)) for c in coefficients[::-1]]
        xs = mpmath.polyroots(ascending, extraprec=200, asc=True)
        real = [mpmath.re(x) for x in xs if abs(mpmath.im(x)) <= mpmath.mpf(10) ** -40]
        return sorted(float(-mpmath.log(x)) for x in real if 0 < x < 1)


@pytest.mark.parametrize(
    ("a", "b"),
    [(1.0, 0.5), (0.5, 0.5 * math.exp(-1e-6))],
    ids=["roots 0 and ln 2", "roots 1e-6 apart"],
)
def test_sign_changes_of_constructed_sums(a, b):
    """Truth: e^{−t}(e^{−t} − a)(e^{−t} − b) = ab e^{−t} − (a+b)e^{−2t} + e^{−3t} vanishes at
    t = −ln a and −ln b (with a = 1 at t = 0, not a sign change on (0, ∞)), computed from the
    rounded coefficients in mpmath."""
    coefficients = np.array([1.0, -(a + b), a * b])  # x² − (a + b)x + ab
    check_roots(coefficients[::-1], np.array([1.0, 2.0, 3.0]), polynomial_roots(coefficients))


@settings(max_examples=30)
@given(
    st.floats(0.005, 0.2),
    st.lists(st.floats(0.02, 0.3), min_size=0, max_size=5),
)
def test_sign_changes_of_sums_with_prescribed_roots(first, gaps):
    """Truth: e^{−t}Π_j(e^{−t} − x_j), expanded in floats, has its roots where mpmath finds
    the roots of the rounded polynomial (x_j ∈ (0, 1) at least 0.02 apart)."""
    xs = first + np.cumsum([0.0, *gaps])
    xs = xs[xs < 0.995]
    coefficients = np.poly(xs)  # highest power first
    g = coefficients[::-1]  # weight of e^{−(k+1)t} = coefficient of x^k
    check_roots(g, np.arange(1.0, g.size + 1), polynomial_roots(coefficients))


def test_too_many_sign_changes_to_isolate_are_bounded_not_refused():
    """f = e^{−t} + ε e^{−δt}cos 2t (ε = 1e-12, δ = 1e-5) changes sign ~10⁶ times after
    t ≈ 27.6. Truth: ∫|f| = 1 + ∫ of the oscillation where it dominates ≈ 1 + (2/π)ε/δ
    (the mean of |cos| is 2/π), to within the part before t = 27.6 (≤ 27.6 ε). The route
    returns a value whose error bound covers the truth, and a bound that says it is loose."""
    eps, delta = 1e-12, 1e-5
    kernel = ExpSum([1.0, eps / 2, eps / 2], [1.0, delta - 2j, delta + 2j])
    norm = l1_norm_with_error(kernel)
    truth = 1.0 + 2 / math.pi * eps / delta
    assert abs(norm.value - truth) <= norm.error + 28 * eps + 1e-15
    assert 1e-9 < norm.error < 1e-6  # the oscillation's mass (6.4e-8) bounds it
