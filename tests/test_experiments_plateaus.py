"""The optimisation experiments (ICLR 2021 §5, docs/mathematics.md §4) on small memory ranges."""

import math
import re

import numpy as np
import pytest

from seqmem import SeqmemValueError
from seqmem.dynamics import train
from seqmem.experiments.plateaus import (
    kernel_at,
    no_plateau,
    plateau_sweep,
    stall_kind,
    stall_survey,
)


@pytest.fixture(scope="module")
def flow_sweep():
    return plateau_sweep(memories=(3, 4, 5, 6, 7))


def test_reference_plateau_sits_at_the_memory_energy(flow_sweep):
    # J on the plateau ≈ ‖ρ₀‖² = 1 for the unit-energy gamma bump, whatever t₀
    assert all(level == pytest.approx(1.0, abs=0.01) for level in flow_sweep.plateau_level)


def test_reference_escape_time_grows_exponentially(flow_sweep):
    lengths = np.array(flow_sweep.plateau_length)
    assert np.all(np.diff(np.log(lengths)) > 0.9)  # each unit of memory: ×2.5 or more
    fit = flow_sweep.fit
    assert fit.r2 >= 0.95
    # docs/mathematics.md §4.3: slope close to ln(1 + w̄) with w̄ ≈ 3 on the plateau (ln 4 = 1.386)
    assert fit.slope == pytest.approx(math.log(4.0), rel=0.15)
    assert flow_sweep.predicted_slope == pytest.approx(fit.slope, rel=0.2)
    # the plateau level is well above the best width-4 loss (it is not a floor)
    assert all(run.run.final_loss < 0.1 for run in flow_sweep.runs)


def test_one_rate_moves_to_the_best_single_mode_rate(flow_sweep):
    # at the escape the smallest rate comes down from ≈2.5 to O(1/t₀), approaching
    # the best single-mode rate 1/(2t₀ + 1) of the gamma bump as t₀ grows
    ratios = [
        rate * (2 * t0 + 1)
        for t0, rate in zip(flow_sweep.memory, flow_sweep.escape_rates, strict=True)
    ]
    assert all(1.0 <= r <= 1.6 for r in ratios)
    assert ratios[-1] < ratios[0]
    assert all(rate > 2.0 for rate in flow_sweep.plateau_rates)


def test_gd_plateau_lengths_are_flow_times_over_the_step(flow_sweep):
    lr = 0.05
    gd = plateau_sweep(memories=(3, 4, 5), optimizer="gd", learning_rate=lr)
    for steps, time in zip(gd.plateau_length, flow_sweep.plateau_length, strict=False):
        assert steps * lr == pytest.approx(time, rel=0.05)


def test_adam_keeps_the_order_with_a_smaller_exponent(flow_sweep):
    adam = plateau_sweep(memories=(5, 6, 7), optimizer="adam", learning_rate=0.01)
    assert adam.plateau_length == sorted(adam.plateau_length)
    assert 0 < adam.fit.slope < 0.8 * flow_sweep.fit.slope


def test_exponential_sum_target_has_no_plateau():
    data = no_plateau()
    assert data.run.plateaus == []
    assert data.best_loss < 1e-12  # exactly representable with 4 modes
    assert data.run.final_loss < 1e-6 * data.run.loss[0]


def test_real_modes_on_a_far_bump_escape_then_stop_at_the_approximation_floor():
    # four real modes: a plateau at ≈ ‖ρ₀‖² + what e^{−3t} leaves, growing with t₀, then
    # an escape down to (about) the best width-4 loss, which stays far above 0
    lengths = []
    for t0 in (4, 5):
        kernel = kernel_at("exp(rate=3)+bump(t0={t0})", t0)
        run = train(kernel, 4, optimizer="flow", steps=1e5)
        label = stall_kind(kernel, run)
        assert label.kind == "optimisation plateau (escaped), then approximation floor"
        assert label.best_loss <= label.final_loss <= 1.5 * label.best_loss
        assert label.best_loss > 0.1 * kernel.l2_norm_squared()
        lengths.append(run.plateaus[0].end)
    assert lengths[1] > 10 * lengths[0]


def test_stall_survey_labels_every_run():
    rows = stall_survey(templates=("airy(t0={t0})",), memories=(4,), final_time=1e5)
    kinds = {row.modes: row.label.kind for row in rows}
    # four real modes cannot follow the oscillation: stuck far above what they could reach
    assert kinds["real"] == "optimisation plateau (not escaped)"
    real = next(row for row in rows if row.modes == "real")
    assert real.label.final_loss > 10 * real.label.best_loss
    assert kinds["oscillating"].endswith("fitted")


def test_sampled_linear_training_shows_the_plateau():
    sweep = plateau_sweep(
        memories=(3,),
        optimizer="adam",
        learning_rate=0.01,
        loss="sampled",
        max_steps=4000,
        batch=16,
        length=128,
    )
    (run,) = sweep.runs
    assert run.escape is not None
    assert run.escape.level == pytest.approx(1.0, abs=0.05)
    assert run.run.population_loss[-1] < 0.3


def test_template_without_placeholder():
    with pytest.raises(SeqmemValueError, match=re.escape("no {t0} placeholder")):
        plateau_sweep("exp(rate=3)+gammabump(k=5)", memories=(3,))
