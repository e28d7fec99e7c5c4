"""The Jackson construction against independent truths.

Exact reproduction of integer-rate exponential sums, the Bernstein-ellipse rate for an analytic
g, the algebraic rates of kernels of known finite smoothness, the bound on every width tested,
the L¹ error against scipy quadrature of ρ − ρ̂ in t, closed-form derivatives for γ, time
rescaling, and the curse of memory (rejected power laws, truncated widths growing fast as ω falls).
"""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import integrate, optimize

from seqmem.approximation.jackson import (
    JacksonApproximant,
    estimate_gamma,
    jackson_approximant,
    jackson_bound,
    jackson_constant,
)
from seqmem.approximation.truncation import TruncatedJacksonWidth, truncated_jackson_width
from seqmem.errors import SeqmemValueError
from seqmem.kernels import Custom, Exponential, ExpSum, GammaBump, GaussianBump, PowerLaw


def rough_kernel(alpha: int, spacing: float = 1.0) -> Custom:
    """ρ = u^{α+1}|u − ½|^{α+½}, u = e^{−λt}: g = u^α|u − ½|^{α+½} is C^α but not C^{α+1}.

    It decays like e^{−(α+1)λt}, so e^{βt}ρ^{(k)} is bounded for β = (α+1)λ and k ≤ α.
    """

    def rho(t):
        u = np.exp(-spacing * np.asarray(t, dtype=float))
        return u ** (alpha + 1) * np.abs(u - 0.5) ** (alpha + 0.5)

    return Custom(rho, name=f"rough{alpha}", time_scale=1 / spacing, horizon=40 / spacing)


def fitted_slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# --- the construction ------------------------------------------------------------------------
@pytest.mark.parametrize("width", [2, 3, 6])
def test_integer_rate_exponential_is_reproduced(width):
    # ρ = e^{−2t} with spacing 1 is g(u) = u: exact from width 2 (weights e_2, up to rounding)
    fit = jackson_approximant(Exponential(rate=2.0), width, beta=1.0)
    assert isinstance(fit, JacksonApproximant)
    assert fit.l1_error < 1e-12 and fit.sup_error < 1e-12
    expected = np.zeros(width)
    expected[1] = 1.0
    # the monomial map amplifies the ~1e-17 rounding of the b_j by up to (3 + √8)^m
    np.testing.assert_allclose(fit.model.c, expected, atol=1e-16 * (3 + math.sqrt(8)) ** width)
    np.testing.assert_allclose(-fit.model.W, np.arange(1, width + 1))


def test_integer_rate_sum_gets_its_own_weights():
    rho = ExpSum([1.0, -3.0, 0.5], [1.0, 3.0, 5.0])
    fit = jackson_approximant(rho, 6, beta=1.0)
    # weights of e^{−kt}: exact up to the ulps of the b_j times (3 + √8)^6 ≈ 4e4
    np.testing.assert_allclose(fit.model.c, [1.0, 0, -3.0, 0, 0.5, 0], atol=1e-11)
    assert fit.relative_l1_error < 1e-13


def test_analytic_g_converges_at_the_bernstein_ellipse_rate():
    # ρ = e^{−t}/(2 − e^{−t}): g = 1/(2 − u) has a pole at u = 2, x = 3; Chebyshev interpolation
    # converges like ϱ^{−m} with ϱ = 3 + √8 (faster than any power of m)
    rho = Custom(lambda t: np.exp(-t) / (2 - np.exp(-t)), name="pole", horizon=40.0)
    widths = np.arange(4, 18, 2)
    errors = [jackson_approximant(rho, int(m), beta=1.0).l1_error for m in widths]
    rate = -np.polyfit(widths, np.log(errors), 1)[0]
    assert rate == pytest.approx(math.log(3 + math.sqrt(8)), rel=0.03)
    assert errors[-1] < 1e-11


@pytest.mark.parametrize("alpha", [0, 1, 2, 3])
def test_finite_smoothness_rates(alpha):
    # g = u^α|u − ½|^{α+½}: the uniform error of Chebyshev interpolation falls like m^{−(α+½)};
    # the L¹ error (the RNN's worst-case error) one power faster, m^{−(α+3/2)} up to a log,
    # because the error away from the singular point is smaller by 1/(m·distance).
    # Tolerance 0.1 on fitted slopes over m = 16..128 (log corrections, measured ≤ 0.07).
    widths = [16, 32, 64, 128]
    fits = [jackson_approximant(rough_kernel(alpha), m, beta=1.0) for m in widths]
    uniform = fitted_slope(widths, [fit.polynomial_error for fit in fits])
    l1 = fitted_slope(widths, [fit.l1_error for fit in fits])
    assert uniform == pytest.approx(-(alpha + 0.5), abs=0.1)
    assert l1 == pytest.approx(-(alpha + 1.5), abs=0.1)


@pytest.mark.parametrize(
    ("kernel", "spacing"),
    [(rough_kernel(1), 1.0), (GammaBump(k=2), 0.3), (GaussianBump(t0=2.0), 0.5)],
    ids=["rough1", "gammabump", "bump"],
)
def test_l1_error_agrees_with_quadrature_in_t(kernel, spacing):
    # Independent route: ∫_0^∞ |ρ − ρ̂_model| dt with scipy quad between the sign changes of
    # ρ − ρ̂ (found on a grid in t, refined by Brent). Small m, where the float64 model is
    # close enough to the exact ρ̂ (weight rounding, and evaluation rounding ~1e-16 Σ|a_k|/β,
    # below 1e-8 of the error). quad is asked for 1e-10, above that rounding; whether it
    # reaches it is read from its own error estimate (its roundoff warning depends on the
    # CPU's rounding of the integrand, so it is not relied on). Agreement: 1e-7 relative
    # (the missed-root and weight-rounding budget) plus quad's estimate.
    for width in (3, 6, 10):
        fit = jackson_approximant(kernel, width, beta=spacing)
        assert fit.weight_rounding_l1 + 1e-16 * fit.weight_sum / spacing < 1e-8 * fit.l1_error

        def difference(t, fit=fit):
            return float(kernel(t)) - float(fit.model.kernel(t))

        grid = np.concatenate([np.linspace(0, 20 / spacing, 4001), [60 / spacing]])
        values = np.array([difference(t) for t in grid])
        flips = np.flatnonzero(values[:-1] * values[1:] < 0)
        roots = [optimize.brentq(difference, grid[i], grid[i + 1], xtol=1e-14) for i in flips]
        edges = [0.0, *roots, 60 / spacing, np.inf]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            pieces = [
                integrate.quad(difference, a, b, epsabs=0, epsrel=1e-10, limit=500)
                for a, b in itertools.pairwise(edges)
            ]
        total = sum(abs(value) for value, _ in pieces)
        estimate = sum(error for _, error in pieces)
        assert estimate < 1e-8 * total  # the oracle itself is accurate enough to decide
        assert abs(fit.l1_error - total) <= 1e-7 * total + estimate
        assert fit.l1_error_accuracy < 1e-8 * fit.l1_error


def test_rough_weights_are_ill_conditioned_and_reported():
    fit = jackson_approximant(rough_kernel(0), 40, beta=1.0)
    # Σ|a_k| grows like (3 + √8)^m for a g with an interior singularity: float64 evaluation of
    # the model is useless there, which is why errors come from the Chebyshev form
    assert fit.weight_sum > 1e20
    assert fit.weight_rounding_l1 > 1e3 * fit.l1_error
    assert fit.l1_error_accuracy < 1e-6 * fit.l1_error


def test_time_rescaling_covariance():
    # ρ_c(t) = ρ(ct) with spacing cλ has the same g: the error scales like 1/c, γ is
    # invariant, so the bound C γ/(β m^α) scales like the error (the reason for our γ)
    c, alpha, width = 4.0, 2, 12
    rho = GammaBump(k=3)
    scaled = Custom(lambda t: rho(c * np.asarray(t)), name="fast", time_scale=0.05, horizon=25.0)
    base = jackson_approximant(rho, width, beta=0.2)
    fast = jackson_approximant(scaled, width, beta=0.2 * c)
    assert fast.l1_error == pytest.approx(base.l1_error / c, rel=1e-8)
    gamma = estimate_gamma(rho, 0.6, alpha)
    assert estimate_gamma(scaled, 0.6 * c, alpha) == pytest.approx(gamma, rel=1e-6)
    assert jackson_bound(alpha, gamma, 0.6 * c, width) == pytest.approx(
        jackson_bound(alpha, gamma, 0.6, width) / c
    )


# --- the bound -------------------------------------------------------------------------------
def test_jackson_constant_and_bound_formula():
    assert jackson_constant(0) == pytest.approx(1 + math.pi / (2 * math.sqrt(2)))
    c2 = (1 + math.pi / (2 * math.sqrt(2))) * (math.pi / 4) ** 2 * math.factorial(5) * 4 / 4
    assert jackson_constant(2) == pytest.approx(c2)
    assert jackson_bound(2, 3.0, 0.5, 10, d=2) == pytest.approx(c2 * 3.0 * 2 / (0.5 * 100))
    assert jackson_bound(3, 1.0, 1.0, 2) == math.inf  # the theorem needs m ≥ α


@pytest.mark.parametrize("alpha", [0, 1, 2, 3])
def test_bound_holds_for_kernels_of_finite_smoothness(alpha):
    beta = alpha + 1.0  # decay of ρ; the construction uses spacing β/(α+1) = 1
    kernel = rough_kernel(alpha)
    gamma = estimate_gamma(kernel, beta, alpha)
    for width in sorted({max(alpha, 1), 2, 5, 10, 20, 40, 80}):
        fit = jackson_approximant(kernel, width, beta=beta / (alpha + 1))
        assert fit.l1_error <= jackson_bound(alpha, gamma, beta, width)


@pytest.mark.parametrize("kernel", [GammaBump(k=2), GaussianBump(t0=3.0), Exponential(rate=1.5)])
@pytest.mark.parametrize("alpha", [1, 3])
def test_bound_holds_for_smooth_kernels(kernel, alpha):
    beta = 0.9
    gamma = estimate_gamma(kernel, beta, alpha)
    for width in (alpha, 4, 8, 16, 32):
        fit = jackson_approximant(kernel, width, beta=beta / (alpha + 1))
        assert fit.l1_error <= jackson_bound(alpha, gamma, beta, width)


# --- gamma -----------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", range(6))
def test_gamma_of_an_exponential(alpha):
    # e^{t}|ρ^{(k)}| = 2^k e^{−t}: the sup is 2^k at t = 0, so γ = 2^α (β = 1)
    assert estimate_gamma(Exponential(rate=2.0), 1.0, alpha) == pytest.approx(2.0**alpha, rel=1e-6)


@pytest.mark.parametrize("alpha", range(6))
def test_gamma_of_a_gamma_bump_against_closed_form_derivatives(alpha):
    k, beta = 3, 0.5
    amplitude = math.sqrt(2 ** (2 * k + 1) / math.factorial(2 * k))

    def weighted(j, t):  # e^{βt}|d^j/dt^j A t^k e^{−t}| by Leibniz
        terms = sum(
            math.comb(j, i) * (-1) ** (j - i) * math.perm(k, i) * t ** (k - i)
            for i in range(min(j, k) + 1)
        )
        return np.abs(amplitude * np.exp((beta - 1) * t) * terms) / beta**j

    truth = 0.0
    grid = np.linspace(0.0, 100.0, 100_001)
    for j in range(alpha + 1):
        best = int(np.argmax(weighted(j, grid)))
        refined = optimize.minimize_scalar(
            lambda t, j=j: -weighted(j, t),
            bounds=(grid[max(best - 1, 0)], grid[best + 1]),
            method="bounded",
            options={"xatol": 1e-12},
        )
        truth = max(truth, weighted(j, grid[best]), -refined.fun)
    # accuracy of exact Chebyshev differentiation of degree-11 panels: ~1e-8 up to k = 5
    assert estimate_gamma(GammaBump(k=k), beta, alpha) == pytest.approx(truth, rel=1e-7)


# --- the curse of memory ---------------------------------------------------------------------
@pytest.mark.parametrize("beta", [1.0, 1e-3])
def test_power_law_is_rejected_for_every_beta(beta):
    with pytest.raises(SeqmemValueError, match="curse of memory"):
        jackson_approximant(PowerLaw(omega=1.0), 8, beta=beta)
    with pytest.raises(SeqmemValueError, match="curse of memory"):
        estimate_gamma(PowerLaw(omega=1.0), beta, 1)


def test_too_slow_exponential_decay_is_rejected():
    # g = A t^5 is unbounded for β = 1 (ρ = A t^5 e^{−t}), fine for β = 0.5
    with pytest.raises(SeqmemValueError, match="e\\^\\(βt\\)ρ\\(t\\) bounded"):
        jackson_approximant(GammaBump(k=5), 8, beta=1.0)
    assert jackson_approximant(GammaBump(k=5), 8, beta=0.5).l1_error < 1


def test_truncated_width_for_a_power_law():
    result = truncated_jackson_width(PowerLaw(omega=2.0), 1e-3)
    assert isinstance(result, TruncatedJacksonWidth)
    assert result.reached
    assert result.cutoff == pytest.approx(math.sqrt(2 / 1e-3) - 1, rel=1e-9)  # (T+1)^{−ω} = ε/2
    assert result.tail_error <= 5e-4
    assert result.relative_error <= 1e-3
    assert result.beta == pytest.approx(1 / result.cutoff)
    # cross-check the fixed-rule error with jackson_approximant on the truncated kernel itself
    rho = PowerLaw(omega=2.0)
    cutoff = result.cutoff

    def truncated(t):
        t = np.asarray(t, dtype=float)
        x = np.clip(2.0 - t / cutoff, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            left, right = np.exp(-1 / x), np.exp(-1 / (1 - x))
        step = np.where(x >= 1, 1.0, np.where(x <= 0, 0.0, left / (left + right)))
        return rho(t) * step

    kernel = Custom(truncated, name="truncated", time_scale=1.0, horizon=2 * cutoff)
    fit = jackson_approximant(kernel, result.width, beta=result.beta)
    assert fit.l1_error / rho.l1_norm() == pytest.approx(result.approximation_error, rel=1e-4)
    assert fit.l1_error / rho.l1_norm() <= 1e-3 - result.tail_error
    smaller = jackson_approximant(kernel, result.width - 1, beta=result.beta)
    assert smaller.l1_error / rho.l1_norm() > 1e-3 - result.tail_error


def test_truncated_width_grows_fast_as_memory_lengthens():
    widths = {omega: truncated_jackson_width(PowerLaw(omega=omega), 1e-3).width for omega in (2, 1)}
    assert widths[1] > 4 * widths[2]
    # an exponential kernel needs no truncation to speak of
    assert truncated_jackson_width(Exponential(rate=1.0), 1e-3).width <= 12


def test_truncated_width_not_reached_is_a_result():
    result = truncated_jackson_width(PowerLaw(omega=0.5), 1e-3, max_width=256)
    assert not result.reached and result.width == 256
    assert result.relative_error > 1e-3 and "max_width" in result.message


@pytest.mark.slow
def test_truncated_widths_follow_the_square_root_of_the_cutoff():
    # Chebyshev points cluster at u = 1 (t = 0) with spacing ~1/m², resolving the unit time
    # scale of (1 + t)^{−(1+ω)} once m ~ √T: width/√T stays within [3, 10] while T spans 10⁵
    for omega in (2.0, 1.0, 0.5):
        result = truncated_jackson_width(PowerLaw(omega=omega), 1e-3)
        assert result.reached and result.relative_error <= 1e-3
        assert 3 <= result.width / math.sqrt(result.cutoff) <= 10


# --- invalid input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: jackson_approximant(Exponential(1.0), 0, beta=1.0), "'width'"),
        (lambda: jackson_approximant(Exponential(1.0), 2.5, beta=1.0), "'width'"),
        (lambda: jackson_approximant(Exponential(1.0), True, beta=1.0), "'width'"),
        (lambda: jackson_approximant(Exponential(1.0), 3, beta=0.0), "'beta'"),
        (lambda: jackson_approximant(Exponential(1.0), 3, beta=float("nan")), "'beta'"),
        (lambda: jackson_approximant("exp(rate=1)", 3, beta=1.0), "'kernel'"),
        (lambda: jackson_bound(-1, 1.0, 1.0, 3), "'alpha'"),
        (lambda: jackson_bound(1, -1.0, 1.0, 3), "'gamma'"),
        (lambda: jackson_bound(1, 1.0, -1.0, 3), "'beta'"),
        (lambda: jackson_bound(1, 1.0, 1.0, 0), "'width'"),
        (lambda: jackson_bound(1, 1.0, 1.0, 3, d=0), "'d'"),
        (lambda: estimate_gamma(Exponential(1.0), 0.5, -1), "'alpha'"),
        (lambda: estimate_gamma(Exponential(1.0), -0.5, 1), "'beta'"),
        (lambda: truncated_jackson_width(PowerLaw(1.0), 0.0), "'eps'"),
        (lambda: truncated_jackson_width(PowerLaw(1.0), 1.5), "'eps'"),
        (lambda: truncated_jackson_width(PowerLaw(1.0), 1e-2, beta_times_cutoff=0), "beta_"),
        (lambda: truncated_jackson_width(PowerLaw(1.0), 1e-2, max_width=0), "'max_width'"),
    ],
)
def test_invalid_input_raises(call, match):
    with pytest.raises(SeqmemValueError, match=match):
        call()
