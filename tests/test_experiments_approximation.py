"""The approximation experiments on small grids: the paper's signatures, and their figures."""

import numpy as np
import pytest

from seqmem import figures
from seqmem.experiments.approximation import (
    crossing_width,
    error_versus_width,
    jackson_rates,
    width_needed,
)


def test_error_versus_width_signatures(tmp_path):
    curves = error_versus_width(
        ["airy(t0=2)", "exp(rate=1)+exp(rate=3)", "powerlaw(omega=0.5)", "powerlaw(omega=2)"],
        widths=(1, 2, 3, 4, 6),
    )
    by_kernel = {curve.kernel: curve for curve in curves}
    for curve in curves:  # soundness: nothing below the floor
        assert all(
            e >= f * (1 - 1e-6) - 1e-9 for e, f in zip(curve.l1_error, curve.hsv_floor, strict=True)
        )
    airy, fast, slow = (
        by_kernel["airy(t0=2)"],
        by_kernel["powerlaw(omega=2)"],
        by_kernel["powerlaw(omega=0.5)"],
    )
    # exponential-type memory: the error falls exponentially, and faster than any power law's
    assert airy.rate_fit["kind"] == "exponential" and airy.rate_fit["r2"] > 0.98
    assert airy.rate_fit["exponent"] > 2 * fast.rate_fit["exponent"] > 2 * slow.rate_fit["exponent"]
    # inverse theorem: power-law fits push the slowest rate towards 0, exponential ones do not
    assert slow.slowest_rate[-1] < 0.05 * slow.slowest_rate[0]
    assert min(airy.slowest_rate[1:]) > 0.5
    assert by_kernel["exp(rate=1)+exp(rate=3)"].l1_error[1] < 1e-12
    assert figures.save(figures.error_versus_width(curves), tmp_path / "a.png").stat().st_size > 0
    assert figures.save(figures.slowest_rate(curves), tmp_path / "d.png").stat().st_size > 0


def test_jackson_exponent_grows_with_smoothness(tmp_path):
    data = jackson_rates(alphas=(0, 1, 2), widths=(16, 32, 64))
    np.testing.assert_allclose(data.measured_exponent, data.expected_exponent, atol=0.15)
    for errors, bounds in zip(data.bounded_error, data.bound, strict=True):
        assert all(e <= b for e, b in zip(errors, bounds, strict=True))
    assert figures.save(figures.jackson_rates(data), tmp_path / "b.png").stat().st_size > 0


def test_width_needed_grows_with_memory(tmp_path):
    data = width_needed(omegas=(2.0, 1.0), eps=1e-2, max_width=16)
    assert data.best_fit_width[0] < data.best_fit_width[1]
    assert data.jackson_width[0] < data.jackson_width[1]
    assert all(b <= j for b, j in zip(data.best_fit_width, data.jackson_width, strict=True))
    # the Hankel bound is a lower bound, and the fractional width lies in (m − 1, m]
    for hankel, fractional, best in zip(
        data.hankel_width, data.best_fit_fractional_width, data.best_fit_width, strict=True
    ):
        assert hankel <= best and best - 1 < fractional <= best
    assert figures.save(figures.width_needed(data), tmp_path / "c.png").stat().st_size > 0


def test_crossing_width_interpolates_the_log_error():
    # log error = −m crosses log ε = −2.5 at m = 2.5; width 1 reaching ε gives 1
    assert crossing_width(np.exp(-np.arange(1.0, 5.0)), np.exp(-2.5)) == pytest.approx(2.5)
    assert crossing_width([1e-3], 1e-2) == 1.0
    assert crossing_width([0.5, 0.4], 1e-2) is None
