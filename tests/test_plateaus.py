"""Plateau detection on loss curves against independent truths.

Truths: synthetic curves built from closed forms (transient e^{−3t}, plateau at 1, escape
0.05 + 0.95/(1 + (t/t_e)⁴)) whose transient end and escape time are known analytically
(brentq on the closed form), pure decays with no plateau, the noise-free twin of a noisy
curve, exact scaling laws, and a brute-force O(n²) search for the band runs.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from seqmem.dynamics import plateaus
from seqmem.dynamics.plateaus import (
    Escape,
    LogLengthFit,
    Plateau,
    final_stall,
    find_plateaus,
    fit_log_length,
    plateau_escape,
)
from seqmem.errors import SeqmemValueError

FLOW_TIMES = np.concatenate([[0.0], np.geomspace(1e-3, 1e8, 400)])  # as gradient_flow records
SPACING = FLOW_TIMES[2] / FLOW_TIMES[1]  # ratio of consecutive recorded times
TRANSIENT_END = math.log(10) / 3  # e^{−3t} = band·level: the transient enters the 10 % band


def escape_curve(t, t_escape, level=1.0):
    """A transient e^{−3t}, a plateau at ``level``, an escape near t_escape down to 5 %."""
    return level * (0.05 + 0.95 / (1 + (t / t_escape) ** 4) + np.exp(-3 * t))


def noisy_curve(seed, steps=20_001, t_escape=8000.0, scale=0.2):
    """Sampled-data training at linear steps: multiplicative noise exp(scale·N(0, 1))."""
    s = np.arange(float(steps))
    clean = 0.05 + 0.95 / (1 + (s / t_escape) ** 4) + 2 * np.exp(-s / 20)
    noise = np.exp(scale * np.random.default_rng(seed).standard_normal(s.size))
    return clean, clean * noise


@pytest.mark.parametrize("t_escape", [1e2, 1e4, 1e6])
def test_exact_curve_has_one_plateau_and_the_analytic_escape_time(t_escape):
    loss = escape_curve(FLOW_TIMES, t_escape)
    (plateau,) = find_plateaus(loss, FLOW_TIMES)
    assert abs(plateau.level - 1) < 0.02
    assert TRANSIENT_END / 2 < plateau.start < 2 * TRANSIENT_END
    assert 0.1 * t_escape < plateau.end < t_escape  # the band is left early in the escape
    escape = plateau_escape(loss, FLOW_TIMES)
    root = brentq(lambda t: escape_curve(t, t_escape) - 0.8 * plateau.level, 1.0, 1e8)
    # the first recorded time after the analytic crossing (J decreases monotonically)
    assert escape.escape_time >= root > escape.escape_time / SPACING
    assert escape.start == plateau.start and escape.level == plateau.level
    assert escape.length == escape.escape_time - escape.start
    # a monotone curve is its own running median: window 1 (the raw loss) gives the same
    assert plateau_escape(loss, FLOW_TIMES, window=1) == escape


def test_detected_lengths_grow_like_the_escape_time():
    """length ≈ 0.7186·t_e − start, so log length against log t_e has slope 1."""
    t_escape = np.array([1e2, 1e4, 1e6])
    lengths = [plateau_escape(escape_curve(FLOW_TIMES, te), FLOW_TIMES).length for te in t_escape]
    fit = fit_log_length(np.log(t_escape), lengths)
    assert abs(fit.slope - 1) < 0.01  # start ≈ 1 matters only at t_e = 1e2
    # intercept: log of (0.95/0.75 − 1)^{1/4}, up to the recording resolution
    assert abs(fit.intercept - math.log((0.95 / 0.75 - 1) ** 0.25)) < math.log(SPACING)
    assert fit.r2 > 0.9999


def test_fit_log_length_recovers_an_exact_exponential_law():
    memory = np.array([1.0, 2.5, 4.0, 7.0])
    fit = fit_log_length(memory, np.exp(1.3 * memory + 0.2))
    assert fit.slope == pytest.approx(1.3, rel=1e-12)
    assert fit.intercept == pytest.approx(0.2, rel=1e-10)
    assert fit.r2 == pytest.approx(1.0, abs=1e-12)
    two = fit_log_length([1.0, 3.0], [math.e, math.e**5])  # two points: a line through both
    assert (two.slope, two.intercept, two.r2) == pytest.approx((2.0, -1.0, 1.0), abs=1e-12)
    assert fit.as_dict() == {"slope": fit.slope, "intercept": fit.intercept, "r2": fit.r2}
    assert isinstance(fit, LogLengthFit)


@pytest.mark.parametrize(
    ("name", "loss", "times"),
    [
        ("exponential, log times", np.exp(-FLOW_TIMES), FLOW_TIMES),
        ("power 1/(1 + t)", 1 / (1 + FLOW_TIMES), FLOW_TIMES),
        ("power t^-0.1 (no t = 0)", FLOW_TIMES[1:] ** -0.1, FLOW_TIMES[1:]),
        ("exponential, linear steps", np.exp(-np.arange(2000) / 100), None),
    ],
)
def test_pure_decays_have_no_plateau(name, loss, times):
    assert find_plateaus(loss, times) == [], name


def test_a_very_slow_power_law_is_flat_at_the_documented_resolution():
    """t^{−p} is reported iff p < log(1 + band)/log(min_ratio) ≈ 0.069 (and it escapes)."""
    t = FLOW_TIMES[1:]
    assert math.log(1.1) / math.log(4) == pytest.approx(0.0688, abs=1e-4)
    assert find_plateaus(t**-0.06, t) != []
    assert find_plateaus(t**-0.08, t) == []


def test_two_plateaus_are_found_in_order():
    t = FLOW_TIMES
    loss = 0.05 + 0.5 / (1 + (t / 1e2) ** 4) + 0.45 / (1 + (t / 1e6) ** 4) + np.exp(-3 * t)
    first, second = find_plateaus(loss, t)
    assert abs(first.level - 1) < 0.02 and abs(second.level - 0.5) < 0.02 * 0.5
    assert first.start < first.end < 1e2 < second.start < second.end < 1e6
    assert plateau_escape(loss, t).start == first.start


def test_a_stall_at_initialisation_counts_only_when_asked():
    loss = escape_curve(FLOW_TIMES, 1e4) - np.exp(-3 * FLOW_TIMES)  # no transient
    assert find_plateaus(loss, FLOW_TIMES) == []
    (stall,) = find_plateaus(loss, FLOW_TIMES, initial=True)
    assert stall.start == 0 and abs(stall.level - 1) < 1e-6 and 1e3 < stall.end < 1e4
    assert plateau_escape(loss, FLOW_TIMES, initial=True).start == 0
    # a transient smaller than the band (6 % < 10 %, as for exp(rate=3)+gammabump(k=4)) is
    # part of the initial run: a finer band resolves it
    small = loss + 0.063 * np.exp(-3 * FLOW_TIMES)
    assert find_plateaus(small, FLOW_TIMES) == []
    (resolved,) = find_plateaus(small, FLOW_TIMES, band=0.05)
    assert 0.1 < resolved.start < 2 and abs(resolved.level - 1) < 1e-3
    # the documented price: on a log time axis a plain e^{−t} then "stalls" until t ≈ 0.1
    (artefact,) = find_plateaus(np.exp(-FLOW_TIMES), FLOW_TIMES, initial=True)
    assert artefact.start == 0 and 0.05 < artefact.end < 0.1


def test_noisy_curve_matches_its_noise_free_twin():
    clean, noisy = noisy_curve(seed=0)
    (truth,) = find_plateaus(clean, window=1)
    assert 50 < truth.start < 100 and 3000 < truth.end < 5000  # the closed form, unsmoothed
    (plateau,) = find_plateaus(noisy)  # default window 20001 // 50 = 400 → 401 points
    assert abs(plateau.level - 1) < 0.05  # the noise has median 1
    # the smoothed noise (sd ≈ 1.25·0.2/√401 ≈ 0.0125 in log J) moves the band edges: the
    # start by ≲ 150 steps, the end (where log J falls ~0.2 per unit log s) by ≲ 20 %
    assert abs(plateau.start - truth.start) < 150
    assert abs(plateau.end - truth.end) < 0.2 * truth.end
    escape, clean_escape = plateau_escape(noisy), plateau_escape(clean, window=1)
    assert abs(escape.escape_time - clean_escape.escape_time) < 0.05 * clean_escape.escape_time
    # unsmoothed, a run from step s ≥ 1 needs 3s + 1 raw points within 10 % while the
    # noise has sd 20 %: at most a rare one, never dozens
    assert len(find_plateaus(noisy, window=1)) <= 1


def test_a_long_noisy_curve_is_fast_and_right():
    s = np.arange(100_001.0)
    clean = 0.05 + 0.95 / (1 + (s / 40_000) ** 4) + 2 * np.exp(-s / 100)
    noisy = clean * np.exp(0.3 * np.random.default_rng(1).standard_normal(s.size))
    (plateau,) = find_plateaus(noisy)
    assert abs(plateau.level - 1) < 0.05 and plateau.start < 2000 < 15_000 < plateau.end


def test_converged_and_stuck_runs_are_final_stalls_not_plateaus():
    converged = 0.01 + np.exp(-FLOW_TIMES)
    assert find_plateaus(converged, FLOW_TIMES) == []
    tail = final_stall(converged, FLOW_TIMES)
    onset = math.log(1e3)  # e^{−t} = 0.1·0.01: the tail is within the 10 % band
    assert onset <= tail.start < onset * SPACING and tail.end == 1e8
    assert tail.level == pytest.approx(0.01, rel=1e-9)
    times = FLOW_TIMES[FLOW_TIMES <= 1e4]
    stuck = 1 + np.exp(-3 * times)  # the run ended on the plateau
    assert find_plateaus(stuck, times) == [] and plateau_escape(stuck, times) is None
    stall = final_stall(stuck, times)
    assert TRANSIENT_END <= stall.start < TRANSIENT_END * SPACING
    assert stall.level == pytest.approx(1, abs=1e-12)
    assert final_stall(np.exp(-np.arange(1000) / 100)) is None  # still decaying at the end
    assert final_stall(np.ones(10)) == Plateau(0.0, 9.0, 1.0)  # flat from start to end


def test_exact_zero_losses_are_allowed():
    loss = np.maximum(escape_curve(FLOW_TIMES, 1e4) - 0.05, 0.0)
    loss[FLOW_TIMES > 1e6] = 0.0
    (plateau,) = find_plateaus(loss, FLOW_TIMES)
    assert abs(plateau.level - 0.95) < 0.02
    assert final_stall(loss, FLOW_TIMES).level == 0


def test_escape_below_the_reach_of_the_curve_is_none():
    loss = escape_curve(FLOW_TIMES, 1e4)  # falls to 5 % of the plateau, not to 1 %
    assert plateau_escape(loss, FLOW_TIMES, escape=0.01) is None


def test_results_are_plain_data():
    plateau = Plateau(1.0, 10.0, 0.5)
    assert plateau.as_dict() == {"start": 1.0, "end": 10.0, "level": 0.5}
    escape = Escape(1.0, 11.0, 10.0, 0.5)
    assert escape.as_dict() == {"start": 1.0, "escape_time": 11.0, "length": 10.0, "level": 0.5}


@given(
    level=st.floats(0.1, 10.0),
    log_escape=st.floats(2.0, 6.0),
    scale=st.floats(1e-3, 1e3),
)
@settings(max_examples=40)
def test_scaling_the_losses_or_the_times_scales_the_answer(level, log_escape, scale):
    loss = escape_curve(FLOW_TIMES, 10.0**log_escape, level)
    (plateau,) = find_plateaus(loss, FLOW_TIMES)
    escape = plateau_escape(loss, FLOW_TIMES)
    (scaled,) = find_plateaus(scale * loss, FLOW_TIMES)
    assert (scaled.start, scaled.end) == (plateau.start, plateau.end)
    assert scaled.level == pytest.approx(scale * plateau.level, rel=1e-12)
    (stretched,) = find_plateaus(loss, scale * FLOW_TIMES)
    assert stretched.start == pytest.approx(scale * plateau.start, rel=1e-12)
    assert stretched.end == pytest.approx(scale * plateau.end, rel=1e-12)
    assert stretched.level == plateau.level
    stretched_escape = plateau_escape(loss, scale * FLOW_TIMES)
    assert stretched_escape.escape_time == pytest.approx(scale * escape.escape_time, rel=1e-12)


@given(st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=40), st.floats(0.01, 4.0))
@settings(max_examples=60)
def test_band_runs_match_a_brute_force_search(values, width):
    y = np.array(values)
    run_end, run_min = plateaus._longest_runs(y, width)
    for k in range(y.size):
        r = k
        while r + 1 < y.size and np.ptp(y[k : r + 2]) <= width:
            r += 1
        assert run_end[k] == r and run_min[k] == y[k : r + 1].min()


GOOD = escape_curve(FLOW_TIMES, 1e4)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: find_plateaus(np.where(FLOW_TIMES > 1, np.nan, GOOD), FLOW_TIMES), "'losses'"),
        (lambda: find_plateaus(GOOD - 0.5, FLOW_TIMES), "'losses'.*≥ 0"),
        (lambda: find_plateaus(GOOD[:2]), "'losses'.*at least 3"),
        (lambda: find_plateaus(np.ones((3, 3))), "'losses'.*1-d"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES[::-1]), "'times'.*strictly increasing"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES - 1), "'times'.*≥ 0"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES[1:]), "'times'.*shape"),
        (lambda: find_plateaus(GOOD, [0, 1, math.inf]), "'times'"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, band=0), "'band'.*> 0"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, band=-0.1), "'band'.*> 0"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, min_ratio=1), "'min_ratio'.*> 1"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, drop=1), "'drop'.*\\(0, 1\\)"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, drop=0), "'drop'"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, window=4), "'window'.*odd"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, window=0), "'window'.*≥ 1"),
        (lambda: find_plateaus(GOOD, FLOW_TIMES, window=3.0), "'window'.*integer"),
        (lambda: plateau_escape(GOOD, FLOW_TIMES, escape=1.5), "'escape' of plateau_escape"),
        (lambda: plateau_escape(GOOD, FLOW_TIMES, min_ratio=0.5), "'min_ratio' of plateau_"),
        (lambda: final_stall(GOOD, FLOW_TIMES, band=0), "'band' of final_stall"),
        (lambda: final_stall(-GOOD, FLOW_TIMES), "'losses' of final_stall"),
        (lambda: fit_log_length([1.0], [2.0]), "'memory'.*at least 2"),
        (lambda: fit_log_length([1.0, 1.0], [2.0, 3.0]), "'memory'.*different"),
        (lambda: fit_log_length([1.0, 2.0], [2.0, 0.0]), "'lengths'.*> 0"),
        (lambda: fit_log_length([1.0, 2.0], [2.0, math.nan]), "'lengths'"),
        (lambda: fit_log_length([1.0, 2.0, 3.0], [2.0, 3.0]), "'memory' and 'lengths'"),
    ],
)
def test_invalid_input_is_named(call, match):
    with pytest.raises(SeqmemValueError, match=match):
        call()
