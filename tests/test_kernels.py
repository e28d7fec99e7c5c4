"""Kernels against independent truths: mpmath quadrature at 30 digits, closed forms, identities."""

import functools
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqmem.errors import SeqmemValueError
from seqmem.kernels import (
    Airy,
    Custom,
    DampedCosine,
    DelayBox,
    ExpSum,
    GammaBump,
    GaussianBump,
    PowerLaw,
    from_spec,
)

mp.mp.dps = 30

# The acceptance tolerance: closed forms agree with quadrature to 1e-8 relative.
RTOL = 1e-8
S_VALUES = [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]


def gamma_amplitude(k):
    return mp.sqrt(mp.mpf(2) ** (2 * k + 1) / mp.gamma(2 * k + 1))


def airy_points(t0, s0):
    zeros = [t0 + float(mp.airyaizero(n)) / s0 for n in range(1, 200)]
    return sorted(z for z in zeros if z > 0)


# (kernel, independent mpmath formula for ρ(t), quadrature cut points)
CASES = {
    "expsum": (
        ExpSum([1.0, -0.5], [1.0, 3.0]),
        lambda t: mp.exp(-t) - 0.5 * mp.exp(-3 * t),
        [0, 1, 5, 20],
    ),
    "expcos": (
        DampedCosine(rate=1.0, freq=2.0, phase=0.3),
        lambda t: mp.exp(-t) * mp.cos(2 * t + 0.3),
        [0] + [(math.pi / 2 - 0.3 + n * math.pi) / 2 for n in range(30)],
    ),
    "powerlaw-0.5": (
        PowerLaw(omega=0.5),
        lambda t: (1 + t) ** mp.mpf(-1.5),
        [0, 1, 10, 100, 1e3, 1e4, 1e5],
    ),
    "powerlaw-1": (PowerLaw(omega=1.0), lambda t: (1 + t) ** -2, [0, 1, 10, 100, 1e3, 1e4]),
    "powerlaw-2-tau": (
        PowerLaw(omega=2.0, tau=0.5),
        lambda t: (1 + 2 * t) ** -3,
        [0, 1, 10, 100, 1e3],
    ),
    "powerlaw-0.25-tau": (
        PowerLaw(omega=0.25, tau=3.0),
        lambda t: (1 + t / 3) ** mp.mpf(-1.25),
        [0, 3, 30, 300, 3e3, 3e4, 3e5, 3e6],
    ),
    "bump-8": (GaussianBump(t0=8.0), lambda t: mp.exp(-((t - 8) ** 2)), [0, 4, 8, 12, 20]),
    "bump-wide": (
        GaussianBump(t0=0.5, sigma=2.0),
        lambda t: mp.exp(-(((t - 0.5) / 2) ** 2)),
        [0, 0.5, 5, 10, 30],
    ),
    "bump-20": (GaussianBump(t0=20.0), lambda t: mp.exp(-((t - 20) ** 2)), [0, 15, 20, 25, 40]),
    "gammabump-0": (GammaBump(k=0.0), lambda t: gamma_amplitude(0) * mp.exp(-t), [0, 1, 10, 50]),
    "gammabump-3": (
        GammaBump(k=3.0),
        lambda t: gamma_amplitude(3) * t**3 * mp.exp(-t),
        [0, 3, 10, 30, 80],
    ),
    "gammabump-9.5": (
        GammaBump(k=9.5),
        lambda t: gamma_amplitude(mp.mpf(9.5)) * t ** mp.mpf(9.5) * mp.exp(-t),
        [0, 5, 9.5, 20, 40, 100],
    ),
    # mpmath's Ai costs ~0.1 ms; the tanh-sinh nodes of one set of cuts are the same for
    # every s, so the values are cached across the transform tests
    "airy-6": (
        Airy(t0=6.0),
        functools.lru_cache(maxsize=None)(lambda t: mp.airyai(t - 6)),
        [*airy_points(6.0, 1.0), 10, 20, 40],
    ),
    "airy-3-s2": (
        Airy(t0=3.0, s0=2.0),
        functools.lru_cache(maxsize=None)(lambda t: mp.airyai(2 * (t - 3))),
        [*airy_points(3.0, 2.0), 6, 10, 20],
    ),
    "delay": (DelayBox(t0=9.0, width=2.0), lambda t: 1 if 9 < t < 11 else 0, [0, 9, 11]),
    "delay-0": (DelayBox(t0=0.0, width=0.5), lambda t: 1 if 0 < t < 0.5 else 0, [0, 0.5, 1]),
    "sum-shift": (
        from_spec("exp(rate=3)+shift(gammabump(k=2),by=5)"),
        lambda t: (
            mp.exp(-3 * t) + (gamma_amplitude(2) * (t - 5) ** 2 * mp.exp(-(t - 5)) if t > 5 else 0)
        ),
        [0, 1, 5, 7, 20, 60],
    ),
    "difference": (
        from_spec("exp(rate=3)-gammabump(k=2)"),
        lambda t: mp.exp(-3 * t) - gamma_amplitude(2) * t**2 * mp.exp(-t),
        [0, 0.5, 1, 2, 5, 20, 60],
    ),
}


def reference_integral(fn, points):
    """∫_0^∞ fn by mpmath tanh-sinh quadrature, cut at the given points and every 1 up to 40.

    The fine cuts keep the reference exact when e^{−st} moves the integrand's peak
    (e.g. to t₀ − s/2 for a Gaussian bump).
    """
    fine = np.linspace(0.0, min(max(points), 40.0), 41)
    cuts = sorted({mp.mpf(p) for p in points} | {mp.mpf(float(p)) for p in fine})
    # mpmath stops at an absolute error near 10^-dps: integrate fn/scale, values of order 1
    scale = max(abs(fn(c)) for c in cuts) or 1
    # the last piece [T, e^700) in v = log(1 + t): algebraic tails become exponential ones
    tail = mp.quad(lambda v: fn(mp.expm1(v)) * mp.exp(v) / scale, [mp.log1p(cuts[-1]), 700])
    return (mp.quad(lambda t: fn(t) / scale, cuts) + tail) * scale


def assert_close(value, reference, rtol=RTOL, atol=0.0):
    reference = complex(reference) if isinstance(reference, mp.mpc) else float(reference)
    assert abs(value - reference) <= rtol * abs(reference) + atol, (value, reference)


@pytest.mark.parametrize("name", CASES)
def test_values_match_formula(name):
    kernel, rho, _ = CASES[name]
    for t in [0.0, 0.3, 1.0, 4.7, 9.9, 25.0]:
        assert_close(float(kernel(t)), rho(mp.mpf(t)), rtol=1e-12, atol=1e-300)
    assert float(kernel(-1.0)) == 0.0


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("s", S_VALUES)
def test_laplace_transform_matches_quadrature(name, s):
    kernel, rho, points = CASES[name]
    points = [*points, *(k / s for k in range(1, 12))]  # resolve e^{−st} at large s
    reference = reference_integral(lambda t: rho(t) * mp.exp(-s * t), points)
    assert_close(float(kernel.laplace_transform(s)), reference, atol=1e-300)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("s", S_VALUES)
def test_t_weighted_transform_matches_quadrature(name, s):
    kernel, rho, points = CASES[name]
    points = [*points, *(k / s for k in range(1, 12))]
    reference = reference_integral(lambda t: t * rho(t) * mp.exp(-s * t), points)
    assert_close(float(kernel.t_weighted_laplace_transform(s)), reference, atol=1e-300)


@pytest.mark.parametrize("name", CASES)
def test_norms_match_quadrature(name):
    kernel, rho, points = CASES[name]
    if kernel.sign() == 0:
        # cut at the sign changes so that |ρ| is smooth on every piece
        points = sorted(set(points) | set(kernel.sign_change_times()[1:-1].tolist()))
    assert_close(kernel.l1_norm(), reference_integral(lambda t: abs(rho(t)), points))
    assert_close(kernel.l2_norm_squared(), reference_integral(lambda t: rho(t) ** 2, points))


@pytest.mark.parametrize("name", CASES)
def test_cell_integrals_match_quadrature(name):
    kernel, rho, points = CASES[name]
    intervals = [(0.0, 0.1), (0.7, 2.2), (5.0, 5.01), (8.5, 12.0), (30.0, 31.0), (3.0, np.inf)]
    for a, b in intervals:
        if np.isinf(b):
            head = sorted({0.0, a, *(p for p in points if p < a)})
            reference = reference_integral(rho, [a, *points]) - mp.quad(rho, head)
        else:
            cuts = sorted({mp.mpf(a), mp.mpf(b)} | {mp.mpf(p) for p in points if a < p < b})
            reference = mp.quad(rho, cuts)
        # absolute floor: far-tail cells of Airy/Gamma are below 1e-20 and need no digits
        assert_close(float(kernel.integrate(a, b)), reference, atol=1e-20)


@pytest.mark.parametrize(
    "name", ["expsum", "expcos", "powerlaw-0.5", "powerlaw-2-tau", "bump-8", "gammabump-3", "delay"]
)
@pytest.mark.parametrize("s", [0.5 + 2j, 3.0 - 1.0j, 0.2 + 0.5j])
def test_complex_laplace_transform(name, s):
    kernel, rho, points = CASES[name]
    reference = reference_integral(lambda t: rho(t) * mp.exp(-s * t), points)
    assert_close(complex(kernel.laplace_transform(s)), reference)


def test_powerlaw_transforms_at_zero():
    rho = PowerLaw(omega=2.0, tau=0.5)
    assert_close(float(rho.laplace_transform(0.0)), 0.5 / 2.0, rtol=1e-15)  # τ/ω = ‖ρ‖_L¹
    assert_close(float(rho.t_weighted_laplace_transform(0.0)), 0.25 / 2.0, rtol=1e-15)
    assert math.isinf(PowerLaw(omega=0.5).t_weighted_laplace_transform(0.0))


@given(
    a=st.floats(min_value=-6.0, max_value=6.0),
    x=st.floats(min_value=1e-6, max_value=1e4),
)
def test_scaled_upper_gamma_matches_mpmath(a, x):
    from seqmem.kernels.special import scaled_upper_gamma

    reference = mp.exp(x) * mp.mpf(x) ** (-a) * mp.gammainc(a, x)
    assert_close(float(scaled_upper_gamma(a, np.array([x]))[0]), reference, rtol=1e-10)


@given(
    weights=st.lists(st.floats(-3, 3), min_size=1, max_size=4),
    rates=st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
    s=st.floats(0.01, 50.0),
)
def test_t_weighted_is_minus_derivative_of_laplace(weights, rates, s):
    """Two routes: the closed-form t-weighted transform and a central difference of ℒρ."""
    kernel = ExpSum(weights, rates[: len(weights)]) + PowerLaw(omega=1.5) + GaussianBump(t0=2.0)
    h = 1e-5 * (1 + s)
    derivative = (kernel.laplace_transform(s + h) - kernel.laplace_transform(s - h)) / (2 * h)
    assert_close(float(kernel.t_weighted_laplace_transform(s)), -derivative, rtol=1e-6, atol=1e-12)


@given(delay=st.floats(0.0, 20.0), s=st.floats(0.01, 5.0))
def test_shift_multiplies_laplace_by_exponential(delay, s):
    base = GammaBump(k=2.0)
    shifted = base.shift(delay)
    assert_close(
        float(shifted.laplace_transform(s)),
        math.exp(-s * delay) * float(base.laplace_transform(s)),
        rtol=1e-13,
    )
    assert shifted.l2_norm_squared() == base.l2_norm_squared()
    t = np.linspace(0, 30, 61)
    np.testing.assert_allclose(shifted(t), np.where(t >= delay, base(t - delay), 0.0), rtol=1e-14)


def test_gamma_bump_has_unit_energy_and_peak_at_k():
    for k in [0.0, 1.0, 4.0, 9.0]:
        rho = GammaBump(k=k)
        t = np.linspace(0, 40, 400_001)
        assert abs(t[np.argmax(rho(t))] - k) < 1e-3
        assert_close(rho.l2_norm_squared(), 1.0, rtol=0)


def test_inner_product_of_sum_is_bilinear():
    a, b = from_spec("powerlaw(omega=1)"), from_spec("bump(t0=3)")
    combined = a + 2 * b
    expected = a.l2_norm_squared() + 4 * a.inner(b) + 4 * b.l2_norm_squared()
    reference = mp.quad(
        lambda t: ((1 + t) ** -2 + 2 * mp.exp(-((t - 3) ** 2))) ** 2, [0, 3, 10, 100, mp.inf]
    )
    assert_close(combined.l2_norm_squared(), expected, rtol=1e-12)
    assert_close(combined.l2_norm_squared(), reference)


@pytest.mark.parametrize(
    "spec",
    [
        "exp(rate=1)",
        "powerlaw(omega=0.5)",
        "bump(t0=8)+exp(rate=1)",
        "gammabump(k=5)",
        "airy(t0=6)",
        "delay(t0=9,width=2)",
        "0.5*exp(rate=2)",
        "expcos(rate=1,freq=2,phase=0.5)",
        "exp(rate=3)-gammabump(k=2)",
        "2*(exp(rate=1)+bump(t0=1,sigma=0.5))",
        "-airy(t0=2,s0=3)",
        "shift(powerlaw(omega=1,tau=2),by=4)",
        "gammabump(k=2,shift=3)",
        "1e-05*exp(rate=1e3)",
    ],
)
def test_spec_round_trip(spec):
    kernel = from_spec(spec)
    again = from_spec(kernel.spec)
    assert again.spec == kernel.spec
    t = np.linspace(0, 20, 101)
    np.testing.assert_array_equal(again(t), kernel(t))


def test_spec_whitespace_and_precedence():
    kernel = from_spec(" 2 * exp( rate = 1 ) - 0.5*exp(rate=2) ")
    t = np.array([0.0, 1.0])
    np.testing.assert_allclose(kernel(t), 2 * np.exp(-t) - 0.5 * np.exp(-2 * t), rtol=1e-15)


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("powerlaw(omega=0)", "must be > 0 for an integrable kernel"),
        ("powerlaw(omega=-0.5)", "'omega' of powerlaw() must be > 0"),
        ("exp(rate=0)", "'rate' of exp() must be > 0"),
        ("bump(t0=-1)", "'t0' of bump() must be ≥ 0"),
        ("delay(t0=1,width=-2)", "'width' of delay() must be > 0"),
        ("foo(t0=1)", "unknown kernel 'foo'"),
        ("exp(rat=1)", "unknown parameter 'rat' for exp(); allowed: rate, weight"),
        ("exp()", "exp() needs the parameter 'rate'"),
        ("exp(rate=1", "found the end"),
        ("exp(rate=1)+", "ends where a number or kernel was expected"),
        ("exp(rate=1)*exp(rate=2)", "cannot be multiplied"),
        ("exp(rate=1) $ 2", "unexpected character '$'"),
        ("", "it is empty"),
        ("3", "it is a number, not a kernel"),
        ("exp(rate=1,rate=2)", "given twice"),
        ("shift(exp(rate=1),by=-2)", "'shift' of a shifted kernel must be ≥ 0"),
        ("exp(rate=__import__)", "expected number"),
    ],
)
def test_bad_specs_raise_one_clear_error(spec, fragment):
    with pytest.raises(SeqmemValueError) as info:
        from_spec(spec)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "build, fragment",
    [
        (lambda: PowerLaw(omega=float("nan")), "'omega' of powerlaw() must be finite"),
        (lambda: GammaBump(k=float("inf")), "'k' of gammabump() must be finite"),
        (lambda: ExpSum([1.0, 2.0], [1.0]), "1-d arrays of one nonzero length"),
        (lambda: ExpSum([1.0], [-1.0]), "positive real part"),
        (lambda: ExpSum([1.0], [float("nan")]), "only finite numbers"),
        (lambda: ExpSum([1.0 + 1j], [1.0 + 2j]), "conjugate partners"),
        (lambda: Custom(lambda t: 1.0 / (1.0 + t)), "not integrable"),
        (lambda: Custom(lambda t: np.nan * t), "only finite numbers"),
        (lambda: Custom(lambda t: 1.0), "must be vectorised"),
        (lambda: PowerLaw(omega="0.5"), "must be a real number"),
    ],
)
def test_bad_parameters_raise(build, fragment):
    with pytest.raises(SeqmemValueError, match=None) as info:
        build()
    assert fragment in str(info.value)


def test_custom_kernel_agrees_with_closed_form():
    custom = Custom(lambda t: (1.0 + t) ** -2.5, name="pl", horizon=1e3)
    closed = PowerLaw(omega=1.5)
    for s in [0.01, 1.0, 10.0]:
        assert_close(float(custom.laplace_transform(s)), float(closed.laplace_transform(s)))
        assert_close(
            float(custom.t_weighted_laplace_transform(s)),
            float(closed.t_weighted_laplace_transform(s)),
        )
    assert_close(custom.l1_norm(), closed.l1_norm())
    assert_close(custom.l2_norm_squared(), closed.l2_norm_squared())
    assert_close(float(custom.integrate(1.0, 3.0)), float(closed.integrate(1.0, 3.0)), rtol=1e-10)


def test_custom_kernels_sharing_a_name_are_not_confused():
    first = Custom(lambda t: np.exp(-t))
    second = Custom(lambda t: np.exp(-2 * t))
    assert first.spec == second.spec
    assert_close(first.inner(second), 1 / 3, rtol=1e-10)  # ∫ e^{−t} e^{−2t} dt
    assert_close((first - second).l2_norm_squared(), 1 / 2 - 2 / 3 + 1 / 4, rtol=1e-9)


@pytest.mark.parametrize("s", [60j, 0.5 + 20j])
def test_bump_laplace_on_the_imaginary_axis(s):
    """e^{z²}erfc(z) overflows for Re z < 0, Im z large; the erfcx form must not."""
    # t₀ = 3 keeps the value near 1e-6: at t₀ = 8 it is 1e-30, below what the oscillatory
    # reference quadrature can resolve against an integrand of order 1
    kernel = GaussianBump(t0=3.0)
    reference = reference_integral(lambda t: mp.exp(-((t - 3) ** 2) - s * t), [0, 3, 6, 12])
    assert_close(complex(kernel.laplace_transform(s)), reference)


def test_a_norm_known_only_to_its_rounding_is_refused():
    # 2te^{−t} ≈ 2(e^{−t} − e^{−(1+δ)t})/δ with δ = 1e-8: ρ − ρ̂ ≈ δt²e^{−t} is below the
    # rounding of its ±2·10⁸ terms (≈ 4ε·2·10⁸ ≈ 2e-7), so l1_norm() raises and the norms
    # module returns the value with that bound
    from seqmem.errors import SeqmemError
    from seqmem.kernels.norms import l1_norm_with_error

    delta = 1e-8
    difference = from_spec("gammabump(k=1)") - ExpSum([2 / delta, -2 / delta], [1.0, 1 + delta])
    norm = l1_norm_with_error(difference)
    assert norm.error > 1e-6 * norm.value
    with pytest.raises(SeqmemError, match="known only to"):
        difference.l1_norm()
