"""Hankel singular values and balanced truncation against independent truths.

Truths: Lyapunov Gramians (SciPy), closed forms for single exponentials and for the trace
and Hilbert–Schmidt norm of Γ, dense SVDs of Hankel matrices built here with SciPy,
adaptive quadrature, the two routes against each other, and the AAK/Glover bounds.
"""

import itertools
import math
import time

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from seqmem.approximation import gramians, hankel
from seqmem.approximation.hankel import balanced_truncation, hankel_singular_values
from seqmem.errors import SeqmemValueError
from seqmem.functional import grid_kernel
from seqmem.kernels import ExpSum, GammaBump, PowerLaw, from_spec

OSCILLATING = "expcos(rate=0.5,freq=2)+exp(rate=1)+0.5*expcos(rate=0.2,freq=0.7,phase=1)"
FREQUENCIES = np.concatenate([[0.0], np.logspace(-3, 3, 300)])


def gramian_singular_values(kernel):
    """√λ(PQ) for the diagonal (possibly complex) realisation W = −diag(λ), U = 1, c = g."""
    weights, rates = kernel.exponential_terms()
    W = -np.diag(rates).astype(complex)
    U = np.ones((rates.size, 1), dtype=complex)
    c = np.asarray(weights, dtype=complex)[None, :]
    P = scipy.linalg.solve_continuous_lyapunov(W, -U @ U.conj().T)
    Q = scipy.linalg.solve_continuous_lyapunov(W.conj().T, -c.conj().T @ c)
    return np.sort(np.sqrt(np.abs(np.linalg.eigvals(P @ Q))))[::-1]


def transfer(model, s):
    """Ĝ(s) = cᵀ(sI − W)⁻¹U by linear solves (no diagonalisation: W may be near-defective)."""
    W = np.atleast_2d(np.diag(model.W) if model.is_diagonal else model.W)
    eye = np.eye(W.shape[0])
    return np.array([model.c @ np.linalg.solve(z * eye - W, model.U[:, 0]) for z in s])


def h_infinity_error(kernel, model):
    """max over FREQUENCIES (0 included) of |G(iω) − Ĝ(iω)|, and the value at ω = 0."""
    s = 1j * FREQUENCIES
    error = np.abs(kernel.laplace_transform(s) - transfer(model, s))
    return float(error.max()), float(error[0])


def fitted_order(steps, errors):
    return float(np.polyfit(np.log(steps), np.log(np.abs(errors)), 1)[0])


positive_expsums = st.lists(
    st.tuples(st.floats(0.05, 3.0), st.floats(0.1, 10.0)), min_size=1, max_size=5
).map(lambda terms: ExpSum([g for g, _ in terms], [lam for _, lam in terms]))


# --- singular values ------------------------------------------------------------------
def test_single_exponential_closed_forms():
    # Γ of g e^{−λt} has rank one with σ₁ = g/(2λ); the plain grid Hankel [K_{i+j}] gives
    # g/(λ(1 + e^{−λΔ})) (first order), the averaged one g/(2λ) exactly.
    rho, dt = ExpSum([3.0], [2.0]), 0.1
    assert hankel_singular_values(rho, 2, method="quadrature") == pytest.approx([0.75, 0.0])
    averaged = hankel_singular_values(rho, 1, method="matrix", dt=dt, extrapolate=False)
    assert averaged[0] == pytest.approx(0.75, rel=1e-12)  # rounding only
    weights = grid_kernel(rho, dt, 801)
    plain = np.linalg.svd(scipy.linalg.hankel(weights[:400], weights[399:799]))[1][0]
    assert plain == pytest.approx(3.0 / (2.0 * (1.0 + math.exp(-0.2))), rel=1e-12)


def test_two_exponentials_match_lyapunov_gramians():
    rho = ExpSum([1.0, 1.0], [1.0, 3.0])
    truth = gramian_singular_values(rho)
    # both Gramian and Cauchy routes are backward stable for these well-separated σ
    np.testing.assert_allclose(hankel_singular_values(rho, 2), truth, rtol=1e-10)
    # default grid Δ = (1/3)/16 with Richardson: O(Δ⁴) ≈ 1e-6 relative, measured 6e-7
    np.testing.assert_allclose(hankel_singular_values(rho, 2, method="matrix"), truth, rtol=2e-6)


@given(positive_expsums)
@settings(max_examples=30)
def test_random_positive_expsum_matches_lyapunov_gramians(rho):
    sigma = hankel_singular_values(rho, rho.rates.size, method="quadrature")
    truth = gramian_singular_values(rho)
    # eig(PQ) resolves σ_k² only to ~1e-16 σ₁², i.e. σ_k to ~1e-8 σ₁ absolutely
    np.testing.assert_allclose(sigma, truth, rtol=1e-10, atol=1e-7 * truth[0])
    # Γ ⪰ 0 for completely monotone ρ: Σσ_k = tr Γ = ‖ρ‖_{L¹}/2 (each mode g/(2λ))
    assert sigma.sum() == pytest.approx(rho.l1_norm() / 2, rel=1e-12)


def test_oscillating_expsum_matrix_route_matches_gramians():
    rho = from_spec(OSCILLATING)
    truth = gramian_singular_values(rho)[:4]
    # default grid Δ ≈ 0.03, Richardson-extrapolated: O(Δ⁴), measured 6e-7 relative
    np.testing.assert_allclose(hankel_singular_values(rho, 4), truth, rtol=2e-6)
    # a 10⁴ × 10⁴ Hankel matrix (FFT products, randomized solver) at Δ = 0.01: measured
    # 7e-9, 16 times below the 1e-7 measured at Δ = 0.02 (fourth order)
    sigma = hankel_singular_values(rho, 4, dt=0.01, length=10_000)
    np.testing.assert_allclose(sigma, truth, rtol=2e-8)


def test_matrix_route_convergence_orders():
    rho = ExpSum([1.0, 1.0], [1.0, 3.0])
    truth = gramian_singular_values(rho)
    steps = np.array([0.2, 0.1, 0.05])
    averaged, extrapolated, plain = [], [], []
    for dt in steps:
        length = round(30 / dt)
        kw = {"method": "matrix", "dt": dt, "length": length, "rtol": math.inf}  # coarse on purpose
        averaged.append(hankel_singular_values(rho, 2, extrapolate=False, **kw)[1] / truth[1] - 1)
        extrapolated.append(hankel_singular_values(rho, 2, **kw)[1] / truth[1] - 1)
        weights = grid_kernel(rho, dt, 2 * length)
        matrix = scipy.linalg.hankel(weights[:length], weights[length - 1 : 2 * length - 1])
        plain.append(np.linalg.svd(matrix, compute_uv=False)[1] / truth[1] - 1)
    # measured slopes 1.0, 2.0 and 4.0; bands of ±0.25 leave room for the next-order terms
    assert fitted_order(steps, plain) == pytest.approx(1.0, abs=0.25)
    assert fitted_order(steps, averaged) == pytest.approx(2.0, abs=0.25)
    assert fitted_order(steps, extrapolated) == pytest.approx(4.0, abs=0.25)


def test_randomized_solver_matches_dense_svd():
    rho, dt, length = from_spec("airy(t0=6)"), 0.1, 600
    sigma = hankel_singular_values(
        rho, 12, method="matrix", dt=dt, length=length, extrapolate=False, rtol=math.inf
    )
    weights = grid_kernel(rho, dt, 2 * length)
    h = 0.5 * (weights[:-1] + weights[1:])
    dense = np.linalg.svd(scipy.linalg.hankel(h[:length], h[length - 1 : 2 * length - 1]))[1]
    # subspace iteration converges like (σ_{35}/σ_k)^{14}: to rounding for σ_k ≥ 1e-6 σ₁
    resolved = dense[:12] >= 1e-6 * dense[0]
    np.testing.assert_allclose(sigma[resolved], dense[:12][resolved], rtol=1e-10)
    np.testing.assert_allclose(sigma, dense[:12], rtol=0, atol=1e-13 * dense[0])


@pytest.mark.parametrize("omega, tau", [(0.5, 1.0), (1.0, 2.0), (2.0, 0.5)])
def test_powerlaw_trace_and_hilbert_schmidt_norm(omega, tau):
    sigma = hankel_singular_values(PowerLaw(omega, tau), 300)
    assert sigma[-1] < 1e-16 * sigma[0]  # the tail beyond 300 is negligible
    # tr Γ = ∫ρ(2t)dt = τ/(2ω);  ‖Γ‖²_HS = ∫ t ρ² dt = τ²B(2, 2ω) = τ²/(2ω(1 + 2ω))
    assert sigma.sum() == pytest.approx(tau / (2 * omega), rel=1e-10)
    hilbert_schmidt = tau**2 / (2 * omega * (1 + 2 * omega))
    assert np.sum(sigma**2) == pytest.approx(hilbert_schmidt, rel=1e-10)


@pytest.mark.parametrize("spec", ["airy(t0=6)", "gammabump(k=2.5)"])
def test_matrix_route_hilbert_schmidt_norm(spec):
    rho = from_spec(spec)
    sigma = hankel_singular_values(rho, 14)
    assert abs(sigma[-1]) < 1e-7 * sigma[0]  # and falling faster than geometrically
    if isinstance(rho, GammaBump):
        truth = (2 * rho.k + 1) / 2  # A²Γ(2k+2)/2^{2k+2} for the unit-energy bump
    else:
        edges = [0.0, *rho.breakpoints(), rho.time_scales()[1], np.inf]
        truth = sum(
            integrate.quad(lambda t: t * rho(t) ** 2, a, b, epsrel=1e-13, limit=200)[0]
            for a, b in itertools.pairwise(edges)
        )
    # grid error O(Δ⁴) after extrapolation: measured 8e-7 (airy, Δ = 0.04), 16× less per
    # halving of Δ; the σ_k² beyond 14 add < 1e-14 σ₁²
    assert np.sum(sigma**2) == pytest.approx(truth, rel=2e-6)


@pytest.mark.parametrize(
    "spec", ["airy(t0=6)", "gammabump(k=2.5)", OSCILLATING, "powerlaw(omega=1)", "delay(t0=2)"]
)
def test_top_singular_value_between_rayleigh_quotient_and_l1_norm(spec):
    rho = from_spec(spec)
    sigma_1 = hankel_singular_values(rho, 1)[0]
    # u = √(2a)e^{−as} is a unit vector: ⟨u, Γu⟩ = 2a∫ t ρ e^{−at} dt ≤ σ₁ ≤ ‖ρ‖_{L¹} (Young)
    rates = np.array([0.1, 0.3, 1.0, 3.0])
    lower = np.max(np.abs(2 * rates * rho.t_weighted_laplace_transform(rates)))
    assert lower <= sigma_1 * (1 + 1e-6)  # grid error of the matrix route
    assert sigma_1 <= rho.l1_norm()


@pytest.mark.parametrize("omega", [0.5, 1.0, 2.0])
def test_powerlaw_routes_agree_on_leading_values(omega):
    rho = PowerLaw(omega)
    quadrature = hankel_singular_values(rho, 2, method="quadrature")
    grid = {"dt": 1 / 16, "length": 16_000, "rtol": math.inf}  # a grid chosen, not refined
    matrix = hankel_singular_values(rho, 2, method="matrix", **grid)
    # Δ = τ/16, T = 10³τ: truncation ≲ T^{−ω} and the short scales lost below Δ; measured
    # σ₁ within 3e-5 and σ₂ within 2e-3 (the short scales matter more for it)
    assert matrix[0] == pytest.approx(quadrature[0], rel=1e-4)
    assert matrix[1] == pytest.approx(quadrature[1], rel=3e-3)


def test_matrix_route_refuses_what_it_cannot_resolve():
    # a power law's cut at T leaves (2∫_T^∞ tρ²)^{1/2} ≈ T^{−1/2}: above 1e-6 σ₁ even at
    # T = 2²⁰Δ, so the default route says so at once instead of returning σ₁ to 1e-3
    with pytest.raises(SeqmemValueError, match="reaches only"):
        hankel_singular_values(PowerLaw(0.5), 2, method="matrix")


def test_powerlaw_quadrature_is_converged_in_its_nodes(monkeypatch):
    coarse = {omega: hankel_singular_values(PowerLaw(omega), 20) for omega in (0.25, 1.0, 2.0)}
    monkeypatch.setattr(gramians, "_LOG_STEP", gramians._LOG_STEP / 2)
    monkeypatch.setattr(gramians, "_TAIL", 1e-22)
    for omega, sigma in coarse.items():
        fine = hankel_singular_values(PowerLaw(omega), 20)
        # trapezoid rule in log s: measured ≤ 4e-13 relative down to σ_k ≈ 1e-10 σ₁
        np.testing.assert_allclose(sigma, fine, rtol=1e-10)


def test_sum_of_completely_monotone_kernels():
    rho = from_spec("powerlaw(omega=1)+2*exp(rate=3)")
    sigma = hankel_singular_values(rho, 200, method="quadrature")
    assert sigma.sum() == pytest.approx((1.0 + 2.0 / 3.0) / 2, rel=1e-10)  # ‖ρ‖_{L¹}/2
    matrix = hankel_singular_values(
        rho, 2, method="matrix", dt=1 / 48, length=48_000, rtol=math.inf
    )
    assert matrix[0] == pytest.approx(sigma[0], rel=1e-4)  # as for the power law alone


def test_powerlaw_decay_is_exponential_in_square_root_of_omega_m():
    # docs/mathematics.md §3.5: σ_{m+1}/σ₁ ≈ exp(−c√(ωm)). Measured c = 4.04, 4.00, 3.92, 3.80 for
    # ω = 0.25..2 over m = 1..20 (local slopes rising with m), fit residuals ≤ 0.2 in log.
    m = np.arange(1, 21)
    for omega in (0.25, 0.5, 1.0, 2.0):
        sigma = hankel_singular_values(PowerLaw(omega), 21)
        log_ratio = np.log(sigma[m] / sigma[0])
        slope, offset = np.polyfit(np.sqrt(omega * m), log_ratio, 1)
        assert slope == pytest.approx(-4.0, abs=0.4)
        root_residual = np.std(log_ratio - (slope * np.sqrt(omega * m) + offset))
        linear_residual = np.std(log_ratio - np.polyval(np.polyfit(m, log_ratio, 1), m))
        assert root_residual < 0.25 < linear_residual


# --- balanced truncation --------------------------------------------------------------
@pytest.mark.parametrize("method", ["quadrature", "matrix"])
def test_full_width_truncation_reproduces_expsum(method):
    rho = ExpSum([1.0, 0.5, 2.0], [0.3, 1.0, 4.0])
    model = balanced_truncation(rho, 3, method=method, dt=0.01, length=15_000)
    t = np.linspace(0.0, 30.0, 301)
    np.testing.assert_allclose(model.kernel(t), rho(t), rtol=0, atol=1e-8 * rho(0.0))
    if method == "matrix":  # the ZOH relation: discretize(Δ) gives back the grid weights
        np.testing.assert_allclose(
            model.grid_kernel(0.01, 500), grid_kernel(rho, 0.01, 500), rtol=1e-8
        )


@given(positive_expsums.filter(lambda rho: rho.rates.size >= 2), st.integers(1, 4))
@settings(max_examples=20)
def test_completely_monotone_truncation_attains_twice_the_tail(rho, width):
    sigma = hankel_singular_values(rho, rho.rates.size)
    width = min(width, rho.rates.size - 1)
    if sigma[width - 1] < 1e-8 * sigma[0]:
        return  # the width exceeds the numerical rank (nearly equal rates)
    model = balanced_truncation(rho, width)
    assert np.allclose(model.W, model.W.T) and np.allclose(model.U[:, 0], model.c)
    worst, at_zero = h_infinity_error(rho, model)
    tail = 2 * sigma[width:].sum()
    # a state-space symmetric system attains Glover's bound at s = 0 (Liu–Sreeram–Teo 1998)
    assert worst == pytest.approx(tail, rel=1e-8, abs=1e-12 * sigma[0])
    assert at_zero == pytest.approx(worst, rel=1e-9, abs=1e-12 * sigma[0])
    assert sigma[width] <= worst * (1 + 1e-9)


@pytest.mark.parametrize("omega, width", [(0.5, 3), (1.0, 2), (1.0, 6)])
def test_powerlaw_truncation_between_the_bounds(omega, width):
    rho = PowerLaw(omega)
    sigma = hankel_singular_values(rho, 400)
    model = balanced_truncation(rho, width)
    worst, at_zero = h_infinity_error(rho, model)
    l1 = (rho - model.to_kernel()).l1_norm()
    # AAK: σ_{m+1} ≤ ‖G − Ĝ‖_H∞ ≤ ‖ρ − ρ̂‖_L¹; Glover: ≤ 2Σ_{k>m}σ_k, attained at s = 0
    assert sigma[width] < worst <= l1 * (1 + 1e-8)
    assert worst == pytest.approx(2 * sigma[width:].sum(), rel=1e-8)
    assert at_zero == pytest.approx(worst, rel=1e-10)


@pytest.mark.parametrize(
    "spec, widths", [("gammabump(k=2.5)", (1, 2, 3, 4)), (OSCILLATING, (1, 2, 3))]
)
def test_eigensystem_realisation_between_the_bounds(spec, widths):
    rho = from_spec(spec)
    sigma = hankel_singular_values(rho, 8)
    for width in widths:
        model = balanced_truncation(rho, width)
        assert np.all(model.eigenvalues.real < 0)
        worst, _ = h_infinity_error(rho, model)
        # the discrete balancing differs from the continuous one by O(Δ) (next test):
        # measured ≤ 0.2 % above 2Σσ_k on the default grid
        assert sigma[width] <= worst <= 2 * sigma[width:].sum() * 1.01


def test_eigensystem_realisation_converges_to_balanced_truncation():
    rho = ExpSum([1.0, 0.5, 2.0], [0.3, 1.0, 4.0])
    exact = balanced_truncation(rho, 2, method="quadrature").to_kernel()
    steps = np.array([0.04, 0.02, 0.01])
    distances = []
    for dt in steps:
        model = balanced_truncation(rho, 2, method="matrix", dt=dt).to_kernel()
        distances.append(math.sqrt((model - exact).l2_norm_squared() / exact.l2_norm_squared()))
    # discrete (Kung) balancing of the sampled system: first order, measured 0.055Δ
    assert fitted_order(steps, distances) == pytest.approx(1.0, abs=0.1)
    assert distances[-1] < 1e-3


# --- speed ----------------------------------------------------------------------------
@pytest.mark.benchmark
def test_benchmark_ten_thousand_sample_grid():
    rho = from_spec("airy(t0=6)")
    start = time.perf_counter()
    weights = grid_kernel(rho, 0.0036, 20_002)
    grid_time = time.perf_counter() - start
    start = time.perf_counter()
    operator = hankel._Hankel(0.5 * (weights[:-1] + weights[1:]), 10_000)
    values, _ = hankel._top_eigenpairs(operator, 20, seed=0)
    solve_time = time.perf_counter() - start
    start = time.perf_counter()
    hankel_singular_values(rho, 20, dt=0.0036, length=10_000)
    print(
        f"\nn = 10⁴ airy: grid weights {grid_time:.2f} s, randomized solve {solve_time:.2f} s, "
        f"hankel_singular_values (with the 2Δ grid) {time.perf_counter() - start:.2f} s"
    )
    assert abs(values[0]) == pytest.approx(1.0, rel=1e-3)


# --- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: hankel_singular_values(PowerLaw(1.0), 0), "'count'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 2.0), "'count'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), True), "'count'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 2, method="svd"), "'method'"),
        (lambda: balanced_truncation(PowerLaw(1.0), 0), "'width'"),
        (lambda: balanced_truncation(PowerLaw(1.0), 2, method="Matrix"), "'method'"),
        (lambda: hankel_singular_values(from_spec("airy(t0=2)"), 2, method="quadrature"), "mono"),
        (
            lambda: hankel_singular_values(
                from_spec("expcos(rate=1,freq=1)"), 1, method="quadrature"
            ),
            "mono",
        ),
        (
            lambda: hankel_singular_values(
                from_spec("exp(rate=1)-exp(rate=2)"), 1, method="quadrature"
            ),
            "mono",
        ),
        (lambda: hankel_singular_values(-PowerLaw(1.0), 1, method="quadrature"), "mono"),
        (lambda: hankel_singular_values(PowerLaw(1.0).shift(1.0), 1, method="quadrature"), "mono"),
        (lambda: balanced_truncation(from_spec("gammabump(k=3)"), 1, method="quadrature"), "mono"),
        (lambda: hankel_singular_values(PowerLaw(0.001), 1), "nodes"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 1, method="matrix", dt=-0.1), "'dt'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 1, method="matrix", length=1), "'length'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 5, method="matrix", length=8), "'length'"),
        (
            lambda: hankel_singular_values(
                PowerLaw(1.0), 9, method="matrix", length=8, extrapolate=False
            ),
            "'length'",
        ),
        (lambda: balanced_truncation(from_spec("gammabump(k=3)"), 5), "'width'"),
        # 16·100·40 000 steps for rates 0.001 and 100: refused, no longer silently coarsened
        (
            lambda: hankel_singular_values(
                from_spec("exp(rate=0.001)-exp(rate=100)"), 2, method="matrix"
            ),
            "grid steps",
        ),
        (lambda: hankel_singular_values(PowerLaw(1.0), 1, method="gramian"), "exponential sum"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 1, seed=-1), "'seed'"),
        (lambda: balanced_truncation(PowerLaw(1.0), 1, seed=0.5), "'seed'"),
        (lambda: hankel_singular_values(PowerLaw(1.0), 1, extrapolate="yes"), "'extrapolate'"),
    ],
)
def test_bad_input_raises_one_line_error(call, words):
    with pytest.raises(SeqmemValueError) as error:
        call()
    assert words in str(error.value) and "\n" not in str(error.value)


def test_truncation_beyond_the_rank_is_the_exact_system():
    rho = ExpSum([1.0, 1.0], [1.0, 2.0])
    model = balanced_truncation(rho, 3)
    assert model.width == 2
    t = np.linspace(0, 5, 11)
    np.testing.assert_allclose(model.kernel(t), rho(t), rtol=1e-12)
