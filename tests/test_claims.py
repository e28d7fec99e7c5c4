"""Every verdict of `seqmem reproduce` holds in a world where the paper's statement is true
and fails in worlds where it is false (the measurements made up from closed forms).

The false worlds are the alternatives a reviewer would raise: a power law where the paper
says exponential, an approximation floor where it says an optimisation stall, a different
speed where it says a start-up lag, an order decided by one noisy seed.
"""

import math

import numpy as np
import pytest

from seqmem import claims
from seqmem.claims import thresholds
from seqmem.laws import compare_growth_laws

T0 = np.array([3.0, 4.0, 5.0, 6.0, 7.0])
WIDTHS = [1, 2, 3, 4, 6, 8]
OMEGAS = [4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 0.5, 0.35]
# a fixed ±1 % wobble, so that no law fits exactly (measurements never do)
WOBBLE = 1 + 0.01 * np.array([1, -1, 0.5, -0.5, 1, -1, 0.5, -0.5])


def wobble(values):
    values = np.asarray(values, dtype=float)
    return values * WOBBLE[: values.size]


def held(claim):
    assert claim.expected and claim.statement  # every verdict states its rule
    return claim.passed


# ---- approximation ----------------------------------------------------------------------


def test_universal_approximation():
    m = np.array(WIDTHS, dtype=float)
    assert held(claims.universal_approximation(WIDTHS, wobble(0.3 * np.exp(-1.5 * m))))
    assert not held(claims.universal_approximation(WIDTHS, wobble(0.3 * m**-3.0)))
    assert not held(claims.universal_approximation(WIDTHS, wobble(np.full(6, 0.1))))


def test_jackson_rate():
    expected = [1.5, 2.5, 3.5, 4.5]
    assert held(claims.jackson_rate([0, 1, 2, 3], np.add(expected, 0.1), expected))
    assert not held(claims.jackson_rate([0, 1, 2, 3], np.add(expected, 0.3), expected))
    flat = [1.5, 2.0, 2.0, 2.0]  # smoothness beyond α = 1 not used
    assert not held(claims.jackson_rate([0, 1, 2, 3], flat, expected))


def test_jackson_bound():
    assert held(claims.jackson_bound([[0.1, 0.05]], [[1.0, 0.5]]))
    assert not held(claims.jackson_bound([[0.1, 0.51]], [[1.0, 0.5]]))


def test_curse_of_memory_width():
    memory = 1 / np.array(OMEGAS)
    exponential = np.round(wobble(3 * np.exp(2.5 * memory))).astype(int).tolist()
    best = (2 + 4 * memory).tolist()
    assert held(claims.curse_of_memory_width(OMEGAS, exponential, best, eps=1e-2))
    power = np.ceil(wobble(60 * memory**3)).astype(int).tolist()  # polynomial growth
    assert not held(claims.curse_of_memory_width(OMEGAS, power, best, eps=1e-2))
    constant = [10] * len(OMEGAS)  # no growth at all
    assert not held(claims.curse_of_memory_width(OMEGAS, constant, best, eps=1e-2))
    unreached = [*exponential[:-1], None]  # a width not found is not a confirmation
    assert not held(claims.curse_of_memory_width(OMEGAS, unreached, best, eps=1e-2))


def test_power_law_slower():
    assert held(claims.power_law_slower(0.4, 2.6))
    assert not held(claims.power_law_slower(2.0, 2.6))


def test_inverse_theorem():
    airy = [1.5, 1.2, 1.0, 0.9, 0.9, 0.8]
    assert held(claims.inverse_theorem([1, 0.3, 0.1, 0.03, 0.01, 0.003], airy, widths=WIDTHS))
    plateaued = [1, 0.5, 0.4, 0.35, 0.3, 0.3]  # the slowest rate stays away from 0
    assert not held(claims.inverse_theorem(plateaued, airy, widths=WIDTHS))
    drifting = [1.5, 0.5, 0.1, 0.05, 0.02, 0.01]  # exponential memory drifting too
    assert not held(claims.inverse_theorem([1, 0.3, 0.1, 0.03, 0.01, 0.003], drifting,
                                           widths=WIDTHS))  # fmt: skip


def test_hankel_floor():
    floors, first = [0.1, 0.01, 1e-3], [0.5, 0.5, 0.5]
    assert held(claims.hankel_floor([0.2, 0.01, 1e-3], floors, first))
    below = [0.2, 0.01 - 1e-6, 1e-3]  # beneath σ_{m+1} by more than its accuracy 5e-7
    assert not held(claims.hankel_floor(below, floors, first))
    # σ_{m+1} = 1e-8 < 1e-6 σ₁ is zero to its accuracy: an error below it contradicts nothing
    assert held(claims.hankel_floor([0.2, 1e-9], [0.1, 1e-8], [0.5, 0.5]))
    assert not held(claims.hankel_floor([1e-9], [1e-8], [0.5]))  # nothing resolved to compare


# ---- optimisation -----------------------------------------------------------------------


def test_no_plateau():
    assert held(claims.no_plateau(0, 1.0, 1e-8, kernel="exp"))
    assert not held(claims.no_plateau(1, 1.0, 1e-8, kernel="exp"))
    assert not held(claims.no_plateau(0, 1.0, 1e-4, kernel="exp"))


def test_plateau_level():
    assert held(claims.plateau_level(T0, [0.991, 0.998, 1.0, 1.0, 1.0]))
    assert not held(claims.plateau_level(T0, [0.97, 0.998, 1.0, 1.0, 1.0]))
    assert not held(claims.plateau_level(T0, [None, 0.998, 1.0, 1.0, 1.0]))


def test_plateau_exponential_tells_the_law_from_a_power_law():
    assert held(claims.plateau_exponential(T0, wobble(0.4 * np.exp(1.26 * T0))))
    # the pitfall: a power law of t₀ fitted by log L linear in t₀ still has r² ≥ 0.95
    power = wobble(0.02 * T0**6.0)
    assert compare_growth_laws(T0, power).exponential.r2 >= thresholds.PLATEAU_R2
    assert not held(claims.plateau_exponential(T0, power))
    assert not held(claims.plateau_exponential(T0, wobble(np.full(5, 50.0))))
    missing = [*wobble(0.4 * np.exp(1.26 * T0))[:-1], None]
    assert not held(claims.plateau_exponential(T0, missing))


def test_plateau_mechanism():
    assert held(claims.plateau_mechanism(1.30, math.log(1 + 2.6)))
    assert not held(claims.plateau_mechanism(1.80, math.log(1 + 2.6)))
    assert not held(claims.plateau_mechanism(0.50, math.log(1 + 2.6)))


def test_gd_flow_time():
    assert held(claims.gd_flow_time(T0[:4], [1.02, 0.99, 1.0, 1.0], learning_rate=0.05))
    assert not held(claims.gd_flow_time(T0[:4], [1.10, 0.99, 1.0, 1.0], learning_rate=0.05))
    # a different speed: the flow time per step is not η
    assert not held(claims.gd_flow_time(T0[:4], [2.0, 2.0, 2.0, 2.0], learning_rate=0.05))


def test_momentum_flow_time_tells_a_lag_from_a_different_speed():
    flow = 0.4 * np.exp(1.26 * T0[:4])
    lagged = (flow + 2.5) / flow  # a fixed start-up lag of 2.5 time units
    assert held(claims.momentum_flow_time(T0[:4], lagged, learning_rate=0.005))
    slower = [1.1, 1.1, 1.1, 1.1]  # 10 % slower at every memory: not a lag
    assert not held(claims.momentum_flow_time(T0[:4], slower, learning_rate=0.005))
    plain = [0.1, 0.1, 0.1, 0.1]  # moving at η, not η/(1 − β)
    assert not held(claims.momentum_flow_time(T0[:4], plain, learning_rate=0.005))


def test_adam_smaller_exponent():
    flow_slope = 1.26
    lengths = wobble(5 * np.exp(0.7 * T0))
    assert held(claims.adam_smaller_exponent(T0, lengths, flow_slope, learning_rate=0.01))
    early = [None, *lengths[1:]]  # too short to show a plateau at the shortest memory
    assert held(claims.adam_smaller_exponent(T0, early, flow_slope, learning_rate=0.01))
    gap = [*lengths[:2], None, *lengths[3:]]  # a plateau missing amid longer ones
    assert not held(claims.adam_smaller_exponent(T0, gap, flow_slope, learning_rate=0.01))
    as_slow = wobble(5 * np.exp(1.3 * T0))  # no gain from the normalisation
    assert not held(claims.adam_smaller_exponent(T0, as_slow, flow_slope, learning_rate=0.01))
    falling = wobble(5 * np.exp(-0.3 * T0))
    assert not held(claims.adam_smaller_exponent(T0, falling, flow_slope, learning_rate=0.01))


def test_escape_rate():
    scaled = np.array([1.47, 1.39, 1.35, 1.27, 1.17])
    assert held(claims.escape_rate(T0, scaled / (2 * T0 + 1)))
    assert not held(claims.escape_rate(T0, np.full(5, 2.5)))  # no rate moved down
    assert not held(claims.escape_rate(T0, scaled[::-1] / (2 * T0 + 1)))  # moving away from 1


def test_bump_floor():
    memories, energy = [3, 4, 5], [1.42] * 3
    best = [0.16, 0.32, 0.46]
    escaped = [True, True, True]
    assert held(claims.bump_floor(memories, escaped, np.multiply(best, 1.3), best, energy,
                                  template="bump"))  # fmt: skip
    stuck = np.multiply(best, 3.0)  # an optimisation plateau far above the floor
    assert not held(claims.bump_floor(memories, escaped, stuck, best, energy, template="bump"))
    residue = [1e-4, 1e-4, 1e-4]  # the model can fit the bump: no floor
    assert not held(claims.bump_floor(memories, escaped, residue, residue, energy,
                                      template="bump"))  # fmt: skip
    never = [False, False, True]  # too few runs ended to judge
    assert not held(claims.bump_floor(memories, never, np.multiply(best, 1.3), best, energy,
                                      template="bump"))  # fmt: skip


def test_airy_plateau():
    memories, start = [2, 3, 4, 5, 6], [0.40, 0.61, 0.75, 0.67, 0.83]
    best = [1e-4, 0.027, 0.009, 0.070, 0.617]
    final = [0.004, 0.045, 0.52, 0.66, 0.70]  # learned, learned, stuck, stuck, on its floor
    assert held(claims.airy_plateau(memories, start, final, best, template="a"))
    reached = np.multiply(best, 1.2)  # every run trains to its best loss
    assert not held(claims.airy_plateau(memories, start, reached, best, template="a"))
    reversed_ = [0.39, 0.6, 0.52, 0.08, 0.70]  # stuck at short memory, learned at long
    assert not held(claims.airy_plateau(memories, start, reversed_, best, template="a"))
    once = [0.004, 0.045, 0.52, 0.08, 0.70]  # a single stuck run is not a trend
    assert not held(claims.airy_plateau(memories, start, once, best, template="a"))


def test_sampled_growth_needs_a_trend_beyond_the_seed_scatter():
    memories = [3, 4, 5] * 3
    scatter = np.exp(0.3 * np.array([1, -1, 0, 0, 1, -1, -1, 0, 1]))  # seed noise, no trend
    growing = np.exp(0.8 * np.array(memories)) * 20 * scatter
    assert held(claims.sampled_growth("linear", memories, growing, budget=1e5, seeds=3))
    flat = 200 * scatter
    assert not held(claims.sampled_growth("linear", memories, flat, budget=1e5, seeds=3))
    one_seed = claims.sampled_growth("linear", [3, 4, 5], growing[:3], budget=1e5, seeds=1)
    assert not held(one_seed)
    # runs that never escaped count as the budget, the longest of all
    censored = [None if t0 == 5 else v for t0, v in zip(memories, growing, strict=True)]
    claim = claims.sampled_growth("tanh", memories, censored, budget=8000, seeds=3)
    assert held(claim) and claim.id == "sampled-tanh"


# ---- Lorenz-96 --------------------------------------------------------------------------


def test_lorenz_memory():
    sites = [2, 8, 12, 24]
    assert held(claims.lorenz_memory(sites, [0.6 * j + 0.3 for j in sites]))
    assert not held(claims.lorenz_memory(sites, [5.0, 4.0, 3.0, 2.0]))
    assert not held(claims.lorenz_memory(sites, [1.0, 9.0, 1.0, 9.0]))  # no line


def test_lorenz_nonlinear():
    assert held(claims.lorenz_nonlinear([2, 24], [0.08, 0.11]))
    assert not held(claims.lorenz_nonlinear([2, 24], [0.0, 0.11]))  # a linear target
    assert not held(claims.lorenz_nonlinear([2, 24], [0.08, 0.6]))


def test_lorenz_stall_is_judged_against_the_reachable_loss():
    sites, reachable = [2, 12, 24], [0.09, 0.13, 0.40]
    assert held(claims.lorenz_stall("linear", 32, sites, [0.11, 0.8, 0.99], reachable,
                                    [False] * 3))  # fmt: skip
    # the objection: a higher final loss at large j that is only the floor
    floor = np.multiply(reachable, 1.1)
    assert floor[-1] > floor[0]
    assert not held(claims.lorenz_stall("linear", 32, sites, floor, reachable, [False] * 3))
    everywhere = np.multiply(reachable, 3.0)  # as stuck at short memory: not memory's doing
    assert not held(claims.lorenz_stall("linear", 32, sites, everywhere, reachable,
                                        [False] * 3))  # fmt: skip


@pytest.mark.parametrize(
    ("name", "unit_test_value"),
    [
        ("EXPONENTIAL_R2", 0.98),
        ("JACKSON_EXPONENT_GAP", 0.15),
        ("INVERSE_DRIFT", 0.05),
        ("PLATEAU_LEVEL_ATOL", 0.01),
        ("MECHANISM_RTOL", 0.2),
        ("FLOW_TIME_RTOL", 0.05),
        ("ADAM_SLOPE_SHARE", 0.8),
        ("ESCAPE_RATE_RANGE", (1.0, 1.6)),
        ("FLOOR_FACTOR", 1.5),
    ],
)
def test_thresholds_are_no_looser_than_the_unit_tests(name, unit_test_value):
    """The values tests/test_experiments_*.py assert for the same quantities."""
    assert getattr(thresholds, name) == unit_test_value
