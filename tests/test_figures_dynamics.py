"""Figures of the optimisation experiments on small real runs: what each one draws.

Each figure is checked for what a reader needs (labelled axes, the log scales the claims
live on, one curve per run, a legend) and that it saves as a PNG.
"""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from seqmem import figures
from seqmem.dynamics.plateaus import Plateau
from seqmem.errors import SeqmemValueError
from seqmem.experiments import plateaus

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def flow_sweep():
    return plateaus.plateau_sweep(memories=(3, 4, 5))


@pytest.fixture(scope="module")
def gd_sweep():
    return plateaus.plateau_sweep(memories=(3, 4), optimizer="gd", learning_rate=0.05)


@pytest.fixture(scope="module")
def no_plateau_data():
    return plateaus.no_plateau(final_time=1e3)


@pytest.fixture(scope="module")
def stall_rows():
    return plateaus.stall_survey(
        templates=("exp(rate=3)+bump(t0={t0})",), memories=(2,), final_time=1e3
    )


def drawn(axis) -> list:
    """The lines with data (legend proxies drawn from empty data are not curves)."""
    return [line for line in axis.get_lines() if len(line.get_xdata()) > 0]


def legend_texts(axis) -> list[str]:
    legend = axis.get_legend()
    assert legend is not None, f"no legend on {axis.get_title()!r}"
    return [text.get_text() for text in legend.get_texts()]


def check_and_save(figure, tmp_path) -> None:
    """Every visible axes labelled; the figure writes a PNG (and is closed)."""
    assert isinstance(figure, Figure)
    for axis in figure.axes:
        assert axis.get_xlabel() and axis.get_ylabel(), axis.get_title()
    path = figures.save(figure, tmp_path / "x.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert not plt.fignum_exists(figure.number)


def test_no_plateau_draws_the_curve_log_log(no_plateau_data, tmp_path):
    figure = figures.no_plateau(no_plateau_data)
    (axis,) = figure.axes
    assert (axis.get_xscale(), axis.get_yscale()) == ("log", "log")
    assert "no plateau" in axis.get_title()
    # the exact fit (best loss ~1e-31) is stated, not drawn 26 decades below the curve
    assert len(drawn(axis)) == 1
    assert any("best width-m loss" in text for text in legend_texts(axis))
    (curve,) = drawn(axis)
    assert np.all(curve.get_xdata() > 0)  # τ = 0 has no place on a log axis
    check_and_save(figure, tmp_path)


def test_no_plateau_draws_a_best_loss_in_range_and_counts_plateaus(no_plateau_data, tmp_path):
    run = dataclasses.replace(no_plateau_data.run, plateaus=[Plateau(0.1, 1.0, 0.5)])
    data = dataclasses.replace(no_plateau_data, run=run, best_loss=1e-4)
    figure = figures.no_plateau(data)
    (axis,) = figure.axes
    assert "1 plateau" in axis.get_title()
    best = drawn(axis)[1]
    assert np.all(np.asarray(best.get_ydata()) == 1e-4) and best.get_linestyle() == "--"
    assert "best width-m loss" in legend_texts(axis)
    check_and_save(figure, tmp_path)


@pytest.mark.parametrize(
    ("sweep_name", "x_label"),
    [("flow_sweep", "flow time τ"), ("gd_sweep", "steps × learning rate")],
)
def test_plateau_curves_one_curve_per_memory(sweep_name, x_label, request, tmp_path):
    sweep = request.getfixturevalue(sweep_name)
    figure = figures.plateau_curves(sweep)
    (axis,) = figure.axes
    assert (axis.get_xscale(), axis.get_yscale()) == ("log", "log")
    assert x_label in axis.get_xlabel()
    assert len(drawn(axis)) == len(sweep.runs)
    escapes = sum(run.escape is not None for run in sweep.runs)
    assert escapes == len(sweep.runs)  # every memory of these small sweeps escapes
    dots = [c for c in axis.collections if len(c.get_offsets()) > 0]
    assert len(dots) == escapes
    assert [f"t₀ = {t0:g}" for t0 in sweep.memory] == legend_texts(axis)[: len(sweep.runs)]
    # x is training time: the recorded steps × the learning rate (1 for the flow)
    first = sweep.runs[0]
    x = drawn(axis)[0].get_xdata()
    np.testing.assert_allclose(x, first.run.steps[first.run.steps > 0] * first.time_scale)
    check_and_save(figure, tmp_path)


def test_plateau_lengths_points_fits_and_prediction(flow_sweep, gd_sweep, tmp_path):
    figure = figures.plateau_lengths([flow_sweep, gd_sweep])
    (axis,) = figure.axes
    assert (axis.get_xscale(), axis.get_yscale()) == ("linear", "log")
    # flow: points, fit, predicted slope; gd: points, fit
    assert len(drawn(axis)) == 5
    texts = legend_texts(axis)
    assert texts[0].startswith(f"flow: slope {flow_sweep.fit.slope:.2f}")
    assert any(t.startswith("predicted ln(1+w̄) = ") for t in texts)
    assert any(t.startswith("gd: slope") for t in texts)
    gd_points = next(line for line in drawn(axis) if line.get_label().startswith("gd"))
    np.testing.assert_allclose(
        gd_points.get_ydata(), np.array(gd_sweep.plateau_length) * gd_sweep.learning_rate
    )
    check_and_save(figure, tmp_path)


def test_plateau_lengths_skips_memories_without_escape(flow_sweep, tmp_path):
    runs = [dataclasses.replace(flow_sweep.runs[0], escape=None), *flow_sweep.runs[1:]]
    sweep = dataclasses.replace(flow_sweep, runs=runs, predicted_slope=None)
    figure = figures.plateau_lengths([sweep])
    (axis,) = figure.axes
    points, _fit = drawn(axis)
    np.testing.assert_allclose(points.get_xdata(), flow_sweep.memory[1:])
    check_and_save(figure, tmp_path)


def test_escape_mechanism_rates_and_reference(flow_sweep, tmp_path):
    figure = figures.escape_mechanism(flow_sweep)
    left, right = figure.axes
    assert (left.get_xscale(), left.get_yscale()) == ("log", "log")
    assert right.get_yscale() == "log"
    width = flow_sweep.runs[0].run.rates.shape[1]
    # m rate curves and one escape line per memory (smallest, middle, largest = all three)
    assert len(drawn(left)) == 3 * (width + 1)
    assert legend_texts(left)[:3] == ["t₀ = 3", "t₀ = 4", "t₀ = 5"]
    assert len(drawn(right)) == 2
    assert "best single-mode rate 1/(2t₀+1)" in legend_texts(right)
    reference = drawn(right)[1]
    np.testing.assert_allclose(reference.get_ydata(), 1 / (2 * reference.get_xdata() + 1))
    check_and_save(figure, tmp_path)


def test_escape_mechanism_chosen_memories(flow_sweep, tmp_path):
    figure = figures.escape_mechanism(flow_sweep, memories=(4,))
    left, _ = figure.axes
    assert len(drawn(left)) == flow_sweep.runs[1].run.rates.shape[1] + 1
    check_and_save(figure, tmp_path)
    with pytest.raises(SeqmemValueError, match="memories"):
        figures.escape_mechanism(flow_sweep, memories=(7,))
    plt.close("all")


def test_stall_survey_grid_of_templates_and_modes(stall_rows, tmp_path):
    figure = figures.stall_survey(stall_rows)
    assert len(figure.axes) == 2  # one template × (real, oscillating)
    for axis, row in zip(figure.axes, stall_rows, strict=True):
        assert row.modes in axis.get_title()
        assert (axis.get_xscale(), axis.get_yscale()) == ("log", "log")
        curve, best = drawn(axis)  # the loss and its best width-m loss
        assert np.all(np.asarray(best.get_ydata()) == row.label.best_loss)
        assert best.get_color() == curve.get_color()
        assert legend_texts(axis)[0] == f"t₀ = 2: {row.label.kind}"
    check_and_save(figure, tmp_path)
