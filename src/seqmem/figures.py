"""Figures of the experiments (matplotlib, Agg): plotting only, every number comes computed.

Each function takes the plain data an experiment returned and gives a
``matplotlib.figure.Figure``; :func:`save` writes it as PNG.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from seqmem.errors import SeqmemValueError
from seqmem.experiments.approximation import ErrorCurve, JacksonRates, WidthNeeded
from seqmem.experiments.lorenz import LorenzRun
from seqmem.experiments.plateaus import MemoryRun, NoPlateau, PlateauSweep, StallRow
from seqmem.laws import line_fit


def save(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as a PNG at ``path`` (folders created) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


def _positive(values) -> np.ndarray:
    """Values for a log axis: None and non-positive (exact) entries become gaps."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.where(array > 0, array, np.nan)


def error_versus_width(curves: list[ErrorCurve]) -> Figure:
    """(a) L¹ error of best fits and balanced truncation against m, between σ_{m+1} and 2Σσ."""
    columns = min(4, len(curves))
    rows = -(-len(curves) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    for axis, curve in zip(axes.ravel(), curves, strict=False):
        m = curve.widths
        axis.fill_between(
            m,
            _positive(curve.hsv_floor),
            _positive(curve.balanced_ceiling),
            color="0.9",
            label=r"$[\sigma_{m+1},\ 2\sum_{k>m}\sigma_k]$",
        )
        axis.semilogy(m, _positive(curve.hsv_floor), "k--", lw=1, label=r"floor $\sigma_{m+1}$")
        axis.semilogy(m, _positive(curve.l1_error), "o-", label="best L² fit")
        axis.semilogy(m, _positive(curve.balanced_l1_error), "s:", label="balanced truncation")
        axis.set_title(curve.kernel, fontsize=8)
        axis.set_xlabel("width m")
        axis.set_ylabel(r"$\|\rho - \hat\rho\|_{L^1}$")
    for axis in axes.ravel()[len(curves) :]:
        axis.set_visible(False)
    axes[0, 0].legend(fontsize=7)
    figure.suptitle(r"Approximation error vs width; no width-m model goes below $\sigma_{m+1}$")
    figure.tight_layout()
    return figure


def slowest_rate(curves: list[ErrorCurve]) -> Figure:
    """(d) The inverse theorem: slowest decay rate of best fits against m."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for curve in curves:
        style = "o-" if curve.kernel.startswith("powerlaw") else "s--"
        axis.loglog(curve.widths, curve.slowest_rate, style, label=curve.kernel)
    axis.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    axis.set_xlabel("width m")
    axis.set_ylabel("slowest decay rate min Re w")
    axis.set_title(
        "Power-law fits push their slowest rate to 0; exponential ones do not", fontsize=9
    )
    axis.legend(fontsize=7)
    return figure


def jackson_rates(data: JacksonRates) -> Figure:
    """(b) Jackson approximant: L¹ error against m per smoothness α, with fitted exponents."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for alpha, errors, exponent in zip(
        data.alphas, data.l1_error, data.measured_exponent, strict=True
    ):
        axis.loglog(data.widths, errors, "o-", label=f"α = {alpha}: slope −{exponent:.2f}")
    axis.set_xlabel("width m (rates β, 2β, …, mβ)")
    axis.set_ylabel(r"$\|\rho - \hat\rho\|_{L^1}$")
    axis.set_title(
        r"Jackson construction: error $\propto m^{-(\alpha + 3/2)}$ for $\rho \in C^\alpha$",
        fontsize=9,
    )
    axis.legend(fontsize=7)
    return figure


def width_needed(data: WidthNeeded) -> Figure:
    """(c) The curse of memory: width for relative L¹ error ε against the memory 1/ω, with
    the exponential law fitted to the Jackson widths (a straight line on these axes)."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    memory = 1.0 / np.asarray(data.omegas, dtype=float)
    jackson = _positive(data.jackson_width)
    axis.semilogy(memory, jackson, "s", label="truncation + Jackson")
    known = np.isfinite(jackson)
    if np.count_nonzero(known) >= 2:
        fit = line_fit(memory[known], np.log(jackson[known]))
        line = np.exp(fit.intercept + fit.slope * memory)
        axis.semilogy(memory, line, "--", color="C0", lw=1,
                      label=rf"$e^{{{fit.slope:.2f}/\omega}}$ (exponential law)")  # fmt: skip
    axis.semilogy(memory, _positive(data.best_fit_fractional_width), "o-", label="best fit")
    hankel = r"Hankel bound: $\sigma_{m+1} \leq \varepsilon\,\|\rho\|_{L^1}$"
    axis.semilogy(memory, _positive(data.hankel_width), "v:", label=hankel)
    axis.set_xlabel(r"memory $1/\omega$ of $\rho = (1 + t)^{-(1+\omega)}$")
    axis.set_ylabel(f"width needed for ε = {data.eps:g}")
    axis.set_title("The curse of memory in approximation", fontsize=9)
    axis.legend(fontsize=7)
    return figure


# ---- optimisation dynamics (ICLR 2021 §5: plateaus) -----------------------------------------

#: marker per optimiser in :func:`plateau_lengths` (others: "v")
OPTIMIZER_MARKERS = {"flow": "o", "gd": "s", "momentum": "^", "adam": "D"}


def _memory_colours(memories: Sequence[float]) -> dict[float, tuple]:
    """t₀ → a viridis colour (its yellow end cut off: unreadable on white)."""
    values = sorted(set(memories))
    spread = np.linspace(0.0, 0.85, len(values)) if len(values) > 1 else [0.4]
    return {t0: plt.cm.viridis(x) for t0, x in zip(values, spread, strict=True)}


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


class _PlainLogFormatter(matplotlib.ticker.LogFormatter):
    """A log-axis formatter that labels the ticks matplotlib would, as plain numbers."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


def _plain_log_ticks(axis) -> None:
    """Label a log y axis with plain numbers (0.2, 300) instead of 2×10⁻¹, 3×10²."""
    axis.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    axis.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))


def _log_mask(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the points a log-log plot cannot show (x ≤ 0); y ≤ 0 become gaps."""
    keep = x > 0
    return x[keep], np.where(y[keep] > 0, y[keep], np.nan)


def no_plateau(data: NoPlateau) -> Figure:
    """(a) Loss J against flow time τ on a target the model represents: no plateau.

    The best width-m loss is drawn as a dashed line when it lies within the plotted range
    (three decades below the curve's minimum); an exact fit (≈ 0) is stated in the legend.
    """
    figure, axis = plt.subplots(figsize=(5.5, 4))
    times, loss = _log_mask(np.asarray(data.run.steps, float), np.asarray(data.run.loss, float))
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
    colours = _memory_colours(sweep.memory)
    for run in sweep.runs:
        colour = colours[run.memory]
        times, loss = _log_mask(_training_time(run), _curve_of(run))
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
    axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _plain_log_ticks(axis)
    axis.set_xlabel("memory t₀")
    axis.set_ylabel("plateau length (flow time τ, or steps × time scale)")
    axis.set_title("Plateau length grows exponentially with memory", fontsize=9)
    axis.legend(fontsize=7, loc="upper left")
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
    colours = _memory_colours(sweep.memory)
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
    _plain_log_ticks(left)
    left.set_xlabel(_time_label(sweep))
    left.set_ylabel("decay rates $w_i$")
    left.set_title(f"Decay rates during training ({_sweep_name(sweep)})", fontsize=9)
    left.legend(fontsize=7, loc="lower left")

    memory = np.asarray(sweep.memory, dtype=float)
    right.semilogy(memory, _positive(sweep.escape_rates), "o", label="smallest rate at escape")
    grid = np.linspace(memory.min(), memory.max(), 100)
    right.semilogy(grid, 1 / (2 * grid + 1), "k--", lw=1, label="best single-mode rate 1/(2t₀+1)")
    right.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _plain_log_ticks(right)
    right.set_xlabel("memory t₀")
    right.set_ylabel("decay rate w")
    right.set_title("The escaping mode's rate against memory", fontsize=9)
    right.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return figure


def stall_survey(rows: Sequence[StallRow]) -> Figure:
    """(c) Stall survey: loss against flow time, one panel per target template and kind of
    modes, one curve per memory labelled by its :class:`~seqmem.experiments.plateaus.StallLabel`
    kind, with a short dashed line at that run's best width-m loss (same colour)."""
    templates = list(dict.fromkeys(row.template for row in rows))
    modes = [m for m in ("real", "oscillating") if any(row.modes == m for row in rows)]
    modes += [m for m in dict.fromkeys(row.modes for row in rows) if m not in modes]
    colours = _memory_colours([row.memory for row in rows])
    figure, axes = plt.subplots(
        len(templates), len(modes), figsize=(5.6 * len(modes), 4.2 * len(templates)), squeeze=False
    )
    for row in rows:
        axis = axes[templates.index(row.template), modes.index(row.modes)]
        colour = colours[row.memory]
        times, loss = _log_mask(np.asarray(row.run.steps, float), np.asarray(row.run.loss, float))
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


def lorenz(runs: Sequence[LorenzRun]) -> Figure:
    """Lorenz-96 target: memory centroid against the read-out site j, and the training
    curves of each model (loss of the standardised output, variance 1) per j."""
    models = sorted({r.model for r in runs}, key=["linear", "tanh"].index)
    figure, axes = plt.subplots(1, 1 + len(models), figsize=(4.2 * (1 + len(models)), 3.8))
    sites = sorted({r.read_out for r in runs})
    first = {r.read_out: r for r in reversed(runs)}
    centroid = axes[0]
    centroid.plot(sites, [first[j].memory_centroid for j in sites], "o-", color="k")
    centroid.set_xlabel("read-out site j")
    centroid.set_ylabel("memory centroid ∫tρ²/∫ρ²")
    centroid.set_title("Memory of the linear response", fontsize=9)
    colours = _memory_colours(sites)
    for axis, model in zip(axes[1:], models, strict=True):
        for run in (r for r in runs if r.model == model):
            steps, loss = _log_mask(np.asarray(run.run.steps, float) + 1, run.run.loss)
            axis.loglog(steps, loss, color=colours[run.read_out], label=f"j = {run.read_out}")
        axis.set_xlabel("Adam step + 1")
        axis.set_ylabel("loss (output variance = 1)")
        axis.set_title(f"{model} RNN, width {runs[0].run.rates.shape[1]}", fontsize=9)
        axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure


def reproduction_figures(data: dict, out_dir: str | Path) -> list[str]:
    """Draw every figure the claims of :func:`seqmem.claims.paper_claims` name into
    ``out_dir`` from a reproduction's ``data``; the file names written."""
    sweeps = [data[f"plateau_{name}"] for name in ("flow", "gd", "momentum", "adam")]
    drawers = {
        "error_vs_width.png": lambda: error_versus_width(data["error_curves"]),
        "slowest_rate.png": lambda: slowest_rate(data["error_curves"]),
        "jackson_rates.png": lambda: jackson_rates(data["jackson"]),
        "width_needed.png": lambda: width_needed(data["width_needed"]),
        "no_plateau.png": lambda: no_plateau(data["no_plateau"]),
        "plateau_lengths.png": lambda: plateau_lengths(sweeps),
        "plateau_curves_flow.png": lambda: plateau_curves(data["plateau_flow"]),
        "escape_mechanism.png": lambda: escape_mechanism(data["plateau_flow"]),
        "stall_survey.png": lambda: stall_survey(data["stall"]),
        # the first seed's curves: more seeds on one axis hide each other
        "sampled_linear.png": lambda: plateau_curves(data["sampled_linear"][0]),
        "sampled_tanh.png": lambda: plateau_curves(data["sampled_tanh"][0]),
        "lorenz.png": lambda: lorenz(data["lorenz"]),
    }
    for name, draw in drawers.items():
        save(draw(), Path(out_dir) / name)
    return list(drawers)
