"""best_fit, its quadrature grid, rate_fit and width_for against closed forms and quadrature."""

import itertools

import numpy as np
import pytest
import scipy.integrate

from seqmem.approximation.fit import best_fit
from seqmem.approximation.grid import quadrature_grid
from seqmem.approximation.rates import rate_fit, width_for
from seqmem.errors import SeqmemValueError
from seqmem.kernels import Exponential, from_spec

GRID_KERNELS = [
    "exp(rate=1)",
    "powerlaw(omega=0.5)",
    "powerlaw(omega=2,tau=3)",
    "bump(t0=8)",
    "gammabump(k=5)",
    "airy(t0=6)",
    "delay(t0=9,width=2)",
    "expcos(rate=1,freq=2)",
    # rates six decades apart: a fixed count of uniform cells under-resolves the middle ones
    "exp(rate=0.001)+exp(rate=1)",
    "exp(rate=0.001)+exp(rate=10)+exp(rate=100)",
    "gammabump(k=5)+exp(rate=0.001)",
]


@pytest.mark.parametrize("spec", GRID_KERNELS)
def test_quadrature_grid_error_is_below_1e_9(spec):
    """The documented accuracy of the grid the fits are computed on."""
    kernel = from_spec(spec)
    grid = quadrature_grid(kernel)
    values = kernel(grid.nodes)
    assert abs(grid.integrate(values**2) / kernel.l2_norm_squared() - 1) < 1e-9
    for rate in [1e-3, 0.1, 1.0, 10.0, 1e3]:
        exact = float(kernel.laplace_transform(rate))
        approximate = grid.integrate(values * np.exp(-rate * grid.nodes))
        assert abs(approximate - exact) <= 1e-9 * abs(exact) + 1e-15


def test_quadrature_grid_refuses_time_scales_it_cannot_hold():
    # 4·10⁵ time units of an oscillation of period 0.06: 2.5·10⁷ cells, not silently fewer
    with pytest.raises(SeqmemValueError, match="cells"):
        quadrature_grid(from_spec("expcos(rate=0.0001,freq=100)"))


@pytest.mark.parametrize(
    "spec, width",
    [
        ("exp(rate=1)", 1),
        ("exp(rate=1)+exp(rate=3)", 2),
        ("expcos(rate=1,freq=2)", 2),
        ("0.5*exp(rate=0.1)-exp(rate=4)", 2),
    ],
)
def test_exactly_representable_kernels_are_recovered(spec, width):
    fit = best_fit(from_spec(spec), width)
    assert fit.relative_l2_error <= 1e-10
    assert fit.relative_l1_error <= 1e-10


def test_width_one_fit_of_an_exponential_is_exact():
    fit = best_fit(Exponential(rate=1.0), 1)
    assert fit.l1_error <= 1e-10 and fit.l2_error <= 1e-10
    assert abs(fit.slowest_rate - 1.0) < 1e-10


def test_reported_errors_match_independent_quadrature():
    kernel = from_spec("powerlaw(omega=1)")
    fit = best_fit(kernel, 4)

    def residual(t):
        return float(kernel(t) - fit.model.kernel(t))

    cuts = [0, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7]
    l2 = sum(
        scipy.integrate.quad(lambda t: residual(t) ** 2, a, b, limit=200, epsabs=0, epsrel=1e-10)[0]
        for a, b in itertools.pairwise(cuts)
    )
    roots = kernel.sign_change_times()  # cut |ρ − ρ̂| at its sign changes as well
    difference = kernel - fit.model.to_kernel()
    edges = np.unique(np.concatenate([cuts, difference.sign_change_times()[1:-1]]))
    l1 = sum(
        scipy.integrate.quad(lambda t: abs(residual(t)), a, b, limit=200, epsabs=0, epsrel=1e-10)[0]
        for a, b in itertools.pairwise(edges)
    )
    l1 += float(kernel.integrate(1e7, np.inf))  # the model has decayed long before t = 1e7
    assert roots.size >= 2
    assert abs(np.sqrt(l2) - fit.l2_error) < 1e-6 * fit.l2_error
    assert abs(l1 - fit.l1_error) < 1e-6 * fit.l1_error


def test_l1_fit_has_smaller_l1_error():
    kernel = from_spec("powerlaw(omega=1)")
    l2_fit, l1_fit = best_fit(kernel, 3), best_fit(kernel, 3, norm="l1")
    assert l1_fit.l1_error < l2_fit.l1_error
    assert l1_fit.l2_error >= l2_fit.l2_error * (1 - 1e-9)


def test_power_law_slowest_rate_goes_to_zero_exponential_does_not():
    power, previous = [], None
    for width in [2, 4, 8]:
        fit = best_fit(from_spec("powerlaw(omega=0.5)"), width, start=previous)
        power.append(fit.slowest_rate)
        previous = fit.model
    assert power[0] > 3 * power[1] > 9 * power[2]
    exponential = [
        best_fit(from_spec("gammabump(k=2)+exp(rate=0.5)"), m).slowest_rate for m in [2, 4, 6]
    ]
    assert min(exponential) > 0.3


def test_errors_decrease_with_width():
    kernel, previous, errors = from_spec("powerlaw(omega=0.5)"), None, []
    for width in range(1, 7):
        fit = best_fit(kernel, width, start=previous)
        errors.append(fit.relative_l2_error)
        previous = fit.model
    assert all(b < a for a, b in itertools.pairwise(errors))


def test_rate_fit_classifies_synthetic_curves():
    m = np.arange(1, 9)
    exponential = rate_fit(m, 3 * np.exp(-1.7 * m))
    assert exponential.kind == "exponential" and abs(exponential.exponent - 1.7) < 1e-10
    assert exponential.r2 > 1 - 1e-12
    algebraic = rate_fit(m, 0.5 * m**-2.5)
    assert algebraic.kind == "algebraic" and abs(algebraic.exponent - 2.5) < 1e-10


def test_width_for_grows_as_memory_lengthens():
    assert width_for(Exponential(rate=1.0), 1e-6).width == 1
    short = width_for(from_spec("powerlaw(omega=2)"), 2e-2).width
    long = width_for(from_spec("powerlaw(omega=0.5)"), 2e-2).width
    assert short is not None and long is not None and long > short
    missed = width_for(from_spec("powerlaw(omega=0.25)"), 1e-9, max_width=2)
    assert missed.width is None and "not reached" in missed.message


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: best_fit(Exponential(rate=1.0), 0), "'width' of best_fit must be an integer ≥ 1"),
        (
            lambda: best_fit(Exponential(rate=1.0), 2, norm="l3"),
            "'norm' of best_fit must be one of",
        ),
        (lambda: best_fit("exp(rate=1)", 2), "best_fit needs a Kernel"),
        (lambda: rate_fit([1, 2], [0.1, 0.01]), "at least 3 widths"),
        (lambda: width_for(Exponential(rate=1.0), -1.0), "'eps' of width_for must be > 0"),
    ],
)
def test_bad_input(call, fragment):
    with pytest.raises(SeqmemValueError) as info:
        call()
    assert fragment in str(info.value)
