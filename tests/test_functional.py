"""Grid functionals: convergence to the continuous convolution and the two error identities."""

import numpy as np
import pytest
import scipy.integrate

from seqmem import LinearRNN
from seqmem.errors import SeqmemValueError
from seqmem.functional import grid_kernel, target_outputs
from seqmem.kernels import Exponential, from_spec
from seqmem.signals import impulse, sample_function, step, white_noise


def test_grid_kernel_sums_to_the_integral():
    rho = from_spec("powerlaw(omega=0.5)+bump(t0=3)")
    weights = grid_kernel(rho, 0.01, 5000)
    assert abs(weights.sum() - float(rho.integrate(0.0, 50.0))) < 1e-12


def test_outputs_match_direct_convolution():
    rho = from_spec("airy(t0=4)+0.3*delay(t0=1,width=2)")
    x = np.random.default_rng(3).normal(size=700)
    weights = grid_kernel(rho, 0.05, 700)
    direct = np.convolve(weights, x)[:700]
    np.testing.assert_allclose(target_outputs(rho, x, 0.05), direct, rtol=0, atol=1e-12)


def test_exponential_step_response_closed_form():
    y = target_outputs(Exponential(rate=2.0), step(400), 0.01)
    t = 0.01 * np.arange(1, 401)
    np.testing.assert_allclose(y, (1 - np.exp(-2 * t)) / 2, rtol=1e-13)


def test_impulse_response_is_the_kernel_average():
    rho = from_spec("gammabump(k=3)")
    y = target_outputs(rho, impulse(600, 0.01, at=100), 0.01)
    assert np.max(np.abs(y[:100])) < 1e-12  # causal: nothing before the impulse (FFT roundoff)
    expected = grid_kernel(rho, 0.01, 500) / 0.01
    np.testing.assert_allclose(y[100:], expected, rtol=0, atol=1e-13 * expected.max())
    # K_j/Δ → ρ at the cell midpoint with error O(Δ²)
    midpoints = 0.01 * (np.arange(500) + 0.5)
    assert np.max(np.abs(y[100:] - rho(midpoints))) < 1e-4


def test_target_equals_rnn_for_its_own_kernel():
    """Two routes to one output: closed-form ExpSum cell integrals vs the ZOH recurrence."""
    model = LinearRNN(
        np.array([-0.5 + 2j, -0.01, -3.0]),
        np.array([1.0, 0.5j, 2.0]),
        np.array([0.3 + 0.1j, 1.0, -0.2]),
    )
    x = np.random.default_rng(0).normal(size=(3, 2000))
    expected = model.outputs(x, 0.05, method="recurrence")
    np.testing.assert_allclose(
        target_outputs(model.to_kernel(), x, 0.05),
        expected,
        rtol=0,
        atol=1e-11 * np.max(np.abs(expected)),
    )


@pytest.mark.parametrize("rule, order", [("left", 1.0), ("midpoint", 2.0)])
def test_grid_output_converges_at_derived_order(rule, order):
    """Left-end sampling errs by O(Δ), midpoint sampling by O(Δ²) (see sample_function)."""
    rho = from_spec("powerlaw(omega=1)+bump(t0=2)")

    def x(t):
        return np.sin(t) + 0.5 * np.cos(3 * t)

    horizon = 6.0
    truth = scipy.integrate.quad(
        lambda s: float(rho(s)) * x(horizon - s),
        0,
        horizon,
        points=[2.0],
        epsabs=1e-14,
        epsrel=1e-13,
        limit=200,
    )[0]
    steps = np.array([0.2, 0.1, 0.05, 0.025, 0.0125])
    errors = []
    for dt in steps:
        length = round(horizon / dt)
        y = target_outputs(rho, sample_function(x, length, dt, rule=rule), dt)
        errors.append(abs(y[-1] - truth))
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert abs(slope - order) < 0.1, (slope, errors)


def worst_case_setting(dt):
    target = from_spec("gammabump(k=3)+0.5*expcos(rate=0.7,freq=1.3)")
    model = LinearRNN.from_rates(rates=[0.6, 1.1, 2.0], weights=[0.3, 0.5, -0.2])
    length = round(60.0 / dt)  # the difference decays like e^{−0.6t}: negligible after t = 60
    difference = grid_kernel(target, dt, length) - model.grid_kernel(dt, length)
    return target, model, length, difference


def test_worst_case_input_attains_the_l1_norm():
    """sup_t sup_{|x|≤1} |H_t(x) − Ĥ_t(x)| = ‖ρ − ρ̂‖_{L¹} (docs/mathematics.md §1.1)."""
    dt = 0.01
    target, model, length, difference = worst_case_setting(dt)
    l1 = (target - model.to_kernel()).l1_norm()
    # the input x_k = sign(D_{L−1−k}) attains Σ_j |D_j| at the last step
    x = np.sign(difference[::-1])
    error = target_outputs(target, x, dt) - model.outputs(x, dt)
    attained = abs(error[-1])
    assert abs(attained - np.sum(np.abs(difference))) < 1e-10
    # Σ_j |∫_cell D| ≤ ∫ |D|, with equality up to the few cells where D changes sign
    assert attained <= l1 + 1e-12
    assert l1 - attained < 1e-4
    # and no other input with |x| ≤ 1 does better, at any time
    rng = np.random.default_rng(7)
    others = rng.uniform(-1, 1, size=(200, length))
    others[:100] = np.sign(others[:100])
    errors = target_outputs(target, others, dt) - model.outputs(others, dt)
    assert np.max(np.abs(errors)) <= l1


def test_worst_case_gap_shrinks_with_the_step():
    gaps = []
    for dt in [0.04, 0.02, 0.01]:
        target, model, _, difference = worst_case_setting(dt)
        gaps.append((target - model.to_kernel()).l1_norm() - np.sum(np.abs(difference)))
    assert gaps[0] > gaps[1] > gaps[2] > 0


def test_white_noise_mean_squared_error_is_the_l2_distance():
    """E(y − ŷ)² under unit white noise = ∫(ρ − ρ̂)² (Monte Carlo, 3 standard errors)."""
    dt = 0.02
    target = from_spec("powerlaw(omega=2)+0.5*bump(t0=3)")
    model = LinearRNN.from_rates(rates=[0.5, 2.0], weights=[0.4, 0.6])
    length = round(80.0 / dt)
    x = white_noise(length, dt, seed=2024, batch=(4000,))
    error = target_outputs(target, x, dt)[:, -1] - model.outputs(x, dt)[:, -1]
    squared = error**2  # one independent sample per sequence
    mean, standard_error = squared.mean(), squared.std(ddof=1) / np.sqrt(squared.size)
    exact = (target - model.to_kernel()).l2_norm_squared()
    grid = np.sum((grid_kernel(target, dt, length) - model.grid_kernel(dt, length)) ** 2) / dt
    assert abs(grid - exact) < 0.1 * standard_error  # the grid's own bias is far below the noise
    assert abs(mean - grid) < 3 * standard_error
    assert abs(mean - exact) < 3 * standard_error


def test_target_outputs_rejects_bad_input():
    rho = Exponential(rate=1.0)
    with pytest.raises(SeqmemValueError, match="'dt' of grid_kernel must be > 0"):
        target_outputs(rho, np.ones(3), 0.0)
    with pytest.raises(SeqmemValueError, match="only finite numbers"):
        target_outputs(rho, np.array([1.0, np.inf]), 0.1)
    with pytest.raises(SeqmemValueError, match="length ≥ 1"):
        target_outputs(rho, np.ones(0), 0.1)
