"""Figures of the optimisation experiments (ICLR 2021 §5: plateaus): plotting only.

Each function takes the data of the experiments of :mod:`seqmem.experiments.plateaus` (a
plateau sweep, the no-plateau run, the stall survey) and returns a
``matplotlib.figure.Figure``; times are training times (flow time, or steps × the run's
time scale) on log axes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

from seqmem.errors import SeqmemValueError
from seqmem.experiments.no_plateau import NoPlateau
from seqmem.experiments.plateau_sweep import MemoryRun, PlateauSweep
from seqmem.experiments.stalls import StallRow
from seqmem.figures.plotting import log_mask, memory_colours, plain_log_ticks, positive

#: marker per optimiser in :func:`plateau_lengths` (others: "v")
OPTIMIZER_MARKERS = {"flow": "o", "gd": "s", "momentum": "^", "adam": "D"}


def _training_time(run: MemoryRun) -> np.ndarray:
    """Recorded steps × time scale: flow time τ, or steps × η (η/(1−β) for momentum)."""
    return np.asarray(run.run.steps, dtype=float) * run.time_scale


def _time_label(sweep: PlateauSweep) -> str:
    """The unit of :func:`_training_time`: flow time, or steps × the run's time scale."""
    if sweep.optimizer == "flow":
        return "flow time τ"
    scale = sweep.runs[0].time_scale
    if sweep.optimizer == "momentum":
        return f"steps × η/(1−β) (= {scale:g})"
    return f"steps × learning rate (η = {scale:g})"


def _curve_of(run: MemoryRun) -> np.ndarray:
    """The loss a plateau was measured on: the population loss when recorded, else the loss."""
    curve = run.run.loss if run.run.population_loss is None else run.run.population_loss
    return np.asarray(curve, dtype=float)


def _sweep_name(sweep: PlateauSweep) -> str:
    """The optimiser and any non-default loss or model, e.g. "adam (sampled, tanh)"."""
    extras = [x for x, d in ((sweep.loss, "population"), (sweep.model, "linear")) if x != d]
    return sweep.optimizer + (f" ({', '.join(extras)})" if extras else "")


def _against_memory(axis, ylabel: str, title: str, *, legend: str) -> None:
    """Finish a log-y panel against the memory t₀: integer t₀ ticks, plain log ticks, the
    labels, the title and the legend at ``legend``."""
    axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    plain_log_ticks(axis)
    axis.set_xlabel("memory t₀")
    axis.set_ylabel(ylabel)
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, loc=legend)


def no_plateau(data: NoPlateau) -> Figure:
    """(a) Loss J against flow time τ on a target the model represents: no plateau.

    The best width-m loss is drawn as a dashed line when it lies within the plotted range
    (three decades below the curve's minimum); an exact fit (≈ 0) is stated in the legend.
    """
    figure, axis = plt.subplots(figsize=(5.5, 4))
    times, loss = log_mask(np.asarray(data.run.steps, float), np.asarray(data.run.loss, float))
    width = data.run.rates.shape[1]
    axis.loglog(times, loss, "-", color="C0", label=f"gradient flow, m = {width}")
    lowest = np.nanmin(loss)
    if data.best_loss > 0 and data.best_loss >= 1e-3 * lowest:
        axis.axhline(data.best_loss, color="k", ls="--", lw=1, label="best width-m loss")
    elif data.best_loss > 0:  # far below the curve: a line there would flatten it
        axis.plot([], [], " ", label=f"best width-m loss {data.best_loss:.1e} (below axis)")
    axis.set_xlabel("flow time τ")
    axis.set_ylabel("loss J")
    plateaus = len(data.run.plateaus)
    found = "no plateau" if plateaus == 0 else f"{plateaus} plateau{'s' * (plateaus > 1)}"
    axis.set_title(f"{data.kernel}: {found}", fontsize=9)
    axis.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return figure


def plateau_curves(sweep: PlateauSweep) -> Figure:
    """(b) The loss curves of a plateau sweep, one per memory t₀, escapes marked with a dot.

    x: training time (flow time τ, or steps × time scale), log scale; y: the loss the
    plateau was measured on (the population loss of a model trained on samples), log scale,
    so the plateau at ≈ ‖ρ₀‖² and the escape below it both show.
    """
    figure, axis = plt.subplots(figsize=(6, 4.2))
    colours = memory_colours(sweep.memory)
    for run in sweep.runs:
        colour = colours[run.memory]
        times, loss = log_mask(_training_time(run), _curve_of(run))
        axis.loglog(times, loss, "-", color=colour, lw=1.3, label=f"t₀ = {run.memory:g}")
        if run.escape is not None:
            k = min(np.searchsorted(run.run.steps, run.escape.escape_time), len(run.run.steps) - 1)
            axis.scatter(
                run.escape.escape_time * run.time_scale,
                _curve_of(run)[k],
                s=30,
                color=colour,
                edgecolor="k",
                zorder=3,
            )
    axis.scatter([], [], s=30, color="w", edgecolor="k", label="escape")
    axis.set_xlabel(_time_label(sweep))
    axis.set_ylabel("population loss J" if sweep.loss == "population" else "loss J")
    axis.set_title(
        f"{sweep.optimizer} on the {sweep.loss} loss, {sweep.model} model: {sweep.template}",
        fontsize=9,
    )
    axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure


def plateau_lengths(sweeps: Sequence[PlateauSweep]) -> Figure:
    """(b) Plateau length against memory t₀ per sweep, log scale, with the fitted lines.

    Lengths are in training time (length × time scale) so that optimisers compare; the fit
    log L ≈ b₀ + b₁ t₀ is drawn, and for the flow the predicted slope ln(1 + w̄) as a dotted
    line through the centre of the flow points (mean t₀, mean log L).
    """
    figure, axis = plt.subplots(figsize=(5.8, 4.2))
    for k, sweep in enumerate(sweeps):
        colour = f"C{k}"
        marker = OPTIMIZER_MARKERS.get(sweep.optimizer, "v")
        points = [
            (run.memory, run.escape.length * run.time_scale)
            for run in sweep.runs
            if run.escape is not None
        ]
        fit = sweep.fit
        name = _sweep_name(sweep)
        label = name if fit is None else f"{name}: slope {fit.slope:.2f} (r² {fit.r2:.2f})"
        if not points:
            axis.plot([], [], marker, color=colour, label=f"{name}: no escape")
            continue
        memory, length = (np.asarray(v, dtype=float) for v in zip(*points, strict=True))
        axis.semilogy(memory, length, marker, color=colour, ms=6, mfc="none", mew=1.5, label=label)
        grid = np.linspace(memory.min(), memory.max(), 50)
        scale = sweep.runs[0].time_scale
        if fit is not None:
            axis.semilogy(grid, scale * np.exp(fit.intercept + fit.slope * grid), "-", color=colour)
        if sweep.optimizer == "flow" and sweep.predicted_slope is not None:
            centre, log_centre = memory.mean(), np.log(length).mean()
            axis.semilogy(
                grid,
                np.exp(log_centre + sweep.predicted_slope * (grid - centre)),
                ":",
                color="k",
                lw=1.5,
                label=f"predicted ln(1+w̄) = {sweep.predicted_slope:.2f}",
            )
    _against_memory(
        axis,
        "plateau length (flow time τ, or steps × time scale)",
        "Plateau length grows exponentially with memory",
        legend="upper left",
    )
    figure.tight_layout()
    return figure


def _chosen_runs(sweep: PlateauSweep, memories: Sequence[float] | None) -> list[MemoryRun]:
    if memories is None:
        picks = sorted({0, len(sweep.runs) // 2, len(sweep.runs) - 1})
        return [sweep.runs[i] for i in picks]
    by_memory = {run.memory: run for run in sweep.runs}
    missing = [t0 for t0 in memories if float(t0) not in by_memory]
    if missing:
        raise SeqmemValueError(
            f"the 'memories' of escape_mechanism must be among the sweep's {sweep.memory}; "
            f"got {missing}"
        )
    return [by_memory[float(t0)] for t0 in memories]


def escape_mechanism(sweep: PlateauSweep, memories: Sequence[float] | None = None) -> Figure:
    """(e) How the plateau ends: one decay rate drifts down to O(1/t₀), then the loss drops.

    Left: the m decay rates w_i against training time (log-log) for up to three memories
    (default: the smallest, middle and largest), the escape times as dotted vertical lines.
    Right: the escape rate (smallest rate around the escape) against t₀, with the best
    single-mode rate 1/(2t₀ + 1) for the gamma-bump memory part, log y.

    Raises:
        SeqmemValueError: a requested memory is not in the sweep.
    """
    runs = _chosen_runs(sweep, memories)
    colours = memory_colours(sweep.memory)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for run in runs:
        colour = colours[run.memory]
        times = _training_time(run)
        keep = times > 0
        rates = np.asarray(run.run.rates, dtype=float)[keep]
        for i in range(rates.shape[1]):
            left.loglog(
                times[keep],
                rates[:, i],
                "-",
                color=colour,
                lw=1.1,
                label=f"t₀ = {run.memory:g}" if i == 0 else None,
            )
        if run.escape is not None:
            left.axvline(
                run.escape.escape_time * run.time_scale, color=colour, ls=":", lw=1.2, alpha=0.8
            )
    left.plot([], [], ":", color="0.4", lw=1.2, label="escape")
    plain_log_ticks(left)
    left.set_xlabel(_time_label(sweep))
    left.set_ylabel("decay rates $w_i$")
    left.set_title(f"Decay rates during training ({_sweep_name(sweep)})", fontsize=9)
    left.legend(fontsize=7, loc="lower left")

    memory = np.asarray(sweep.memory, dtype=float)
    right.semilogy(memory, positive(sweep.escape_rates), "o", label="smallest rate at escape")
    grid = np.linspace(memory.min(), memory.max(), 100)
    right.semilogy(grid, 1 / (2 * grid + 1), "k--", lw=1, label="best single-mode rate 1/(2t₀+1)")
    _against_memory(right, "decay rate w", "The escaping mode's rate against memory", legend="best")
    figure.tight_layout()
    return figure


def stall_survey(rows: Sequence[StallRow]) -> Figure:
    """(c) Stall survey: loss against flow time, one panel per target template and kind of
    modes, one curve per memory labelled by its :class:`~seqmem.experiments.plateaus.StallLabel`
    kind, with a short dashed line at that run's best width-m loss (same colour)."""
    templates = list(dict.fromkeys(row.template for row in rows))
    modes = [m for m in ("real", "oscillating") if any(row.modes == m for row in rows)]
    modes += [m for m in dict.fromkeys(row.modes for row in rows) if m not in modes]
    colours = memory_colours([row.memory for row in rows])
    figure, axes = plt.subplots(
        len(templates), len(modes), figsize=(5.6 * len(modes), 4.2 * len(templates)), squeeze=False
    )
    for row in rows:
        axis = axes[templates.index(row.template), modes.index(row.modes)]
        colour = colours[row.memory]
        times, loss = log_mask(np.asarray(row.run.steps, float), np.asarray(row.run.loss, float))
        axis.loglog(
            times, loss, "-", color=colour, lw=1.3, label=f"t₀ = {row.memory:g}: {row.label.kind}"
        )
        if row.label.best_loss > 0:
            end = times[-1]
            axis.loglog([end / 30, end], [row.label.best_loss] * 2, "--", color=colour, lw=1.3)
    for (i, template), (j, mode) in itertools.product(enumerate(templates), enumerate(modes)):
        axis = axes[i, j]
        axis.plot([], [], "--", color="0.4", label="best width-m loss")
        axis.set_xlabel("flow time τ")
        axis.set_ylabel("loss J")
        axis.set_title(f"{template}: {mode} modes", fontsize=9)
        axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure
