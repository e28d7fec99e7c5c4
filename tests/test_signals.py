"""Input processes: seeding and their statistics (Monte Carlo with stated tolerances)."""

import numpy as np
import pytest

from seqmem.errors import SeqmemValueError
from seqmem.signals import (
    brownian_path,
    impulse,
    ornstein_uhlenbeck,
    sample_function,
    step,
    white_noise,
)


def test_same_seed_same_numbers_and_generator_streams():
    a = white_noise(100, 0.1, seed=5, batch=(3,))
    b = white_noise(100, 0.1, seed=5, batch=(3,))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, white_noise(100, 0.1, seed=6, batch=(3,)))
    rng = np.random.default_rng(5)
    first, second = white_noise(10, 0.1, seed=rng), white_noise(10, 0.1, seed=rng)
    assert not np.array_equal(first, second)


def test_white_noise_has_unit_intensity():
    """Var x_k = 1/Δ; with 4e5 samples the sample variance is within 5 standard errors."""
    dt = 0.04
    x = white_noise(100_000, dt, seed=1, batch=(4,))
    n = x.size
    # standard error of the sample variance of a Gaussian: σ²√(2/n)
    assert abs(x.var() * dt - 1.0) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(x[..., 1:] * x[..., :-1])) * dt < 5 / np.sqrt(n)


def test_ornstein_uhlenbeck_stationary_statistics():
    theta, sigma, dt = 0.5, 2.0, 0.1
    x = ornstein_uhlenbeck(20_000, dt, seed=3, theta=theta, sigma=sigma, batch=(50,))
    variance = sigma**2 / (2 * theta)
    # stationary from the first sample: every time has variance σ²/2θ (50-path ensemble at k=0)
    assert abs(np.var(x[:, 0]) / variance - 1) < 5 * np.sqrt(2 / 50)
    assert abs(x.var() / variance - 1) < 0.05  # 1e6 correlated samples, ~1e4 effective
    lag = 5
    correlation = np.mean(x[:, lag:] * x[:, :-lag]) / variance
    assert abs(correlation - np.exp(-theta * lag * dt)) < 0.03


def test_brownian_path_variance_grows_linearly():
    dt = 0.01
    w = brownian_path(1000, dt, seed=4, batch=(4000,))
    assert np.all(w[:, 0] == 0)
    times = dt * np.arange(1000)
    variance = w[:, [250, 500, 999]].var(axis=0)
    np.testing.assert_allclose(variance, times[[250, 500, 999]], rtol=5 * np.sqrt(2 / 4000))


def test_probes():
    np.testing.assert_array_equal(step(5, start=2, height=3.0), [0, 0, 3, 3, 3])
    x = impulse(5, 0.5, at=1)
    assert x.sum() * 0.5 == 1.0 and x[1] == 2.0
    np.testing.assert_allclose(
        sample_function(np.sin, 3, 0.1, rule="midpoint"), np.sin([0.05, 0.15, 0.25])
    )
    np.testing.assert_allclose(
        sample_function(np.sin, 3, 0.1, rule="left"), np.sin([0.0, 0.1, 0.2])
    )


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: white_noise(10, 0.0, seed=0), "'dt' of white_noise must be > 0"),
        (lambda: white_noise(0, 0.1, seed=0), "'length' of white_noise must be an integer ≥ 1"),
        (lambda: white_noise(10, 0.1, seed=-1), "'seed' must be an integer ≥ 0"),
        (
            lambda: white_noise(10, 0.1, seed=0, batch=(0,)),
            "'batch' of white_noise must be an integer ≥ 1",
        ),
        (
            lambda: ornstein_uhlenbeck(10, 0.1, seed=0, theta=-1.0),
            "'theta' of ornstein_uhlenbeck must be > 0",
        ),
        (lambda: impulse(10, 0.1, at=10), "must be < length = 10"),
        (lambda: sample_function(np.sin, 10, 0.1, rule="right"), "'left' or 'midpoint'"),
    ],
)
def test_bad_arguments(call, fragment):
    with pytest.raises(SeqmemValueError) as info:
        call()
    assert fragment in str(info.value)
