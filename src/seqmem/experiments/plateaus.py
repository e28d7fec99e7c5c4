"""The optimisation experiments of ICLR 2021 §5: plateaus that grow exponentially with memory.

Targets ρ = ρ̄ + ρ₀(· − t₀) with a short-memory part ρ̄ and a memory part ρ₀ placed t₀ in the
past. Training fits ρ̄ fast, sits on a plateau at J ≈ ‖ρ₀‖², and escapes only once one mode's
decay rate has drifted to O(1/t₀); the pull on a mode with rate w is ∝ ℒρ₀(w), which for the
reference target of docs/mathematics.md §4.4, ρ = e^{−3t} + gammabump(k = t₀), is
∝ (1 + w)^{−(t₀+1)}. So the escape time should grow like (1 + w̄)^{t₀}: log-length slope
ln(1 + w̄) in t₀, w̄ the rates on the plateau.

(a) :func:`no_plateau`: an exponential-sum target, fitted without a plateau;
(b) :func:`reference_plateaus`: the reference sweep under flow, GD, momentum and Adam, each
    a :func:`plateau_sweep` (plateau length against memory for one optimiser, with the
    log-length fit and the predicted slope);
(c) :func:`stall_survey`: Gaussian-bump and Airy targets with real and oscillating modes,
    each run labelled by :func:`stall_kind`: an optimisation plateau or the approximation
    floor (the best width-m loss, by :func:`~seqmem.approximation.best_fit`);
(d) :func:`sampled_plateaus`: the same on sampled data (linear and tanh RNNs, Adam);
(e) the escape mechanism: :attr:`MemoryRun.escape_rate`, the smallest rate at escape,
    against 1/(2t₀ + 1), the best single-mode rate for the gamma bump.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.approximation import best_fit
from seqmem.dynamics.loop import MOMENTUM
from seqmem.dynamics.plateaus import (
    Escape,
    LogLengthFit,
    final_stall,
    fit_log_length,
    plateau_escape,
)
from seqmem.dynamics.train import (
    DEFAULT_LEARNING_RATES,
    EXACT_BANDS,
    NOISY_BAND,
    TrainingRun,
    exact_plateau_band,
    train,
)
from seqmem.errors import SeqmemValueError, check_positive
from seqmem.kernels import Kernel, from_spec
from seqmem.kernels.base import format_number

REFERENCE_TEMPLATE = "exp(rate=3)+gammabump(k={t0})"
REFERENCE_MEMORIES = (3, 4, 5, 6, 7, 8, 9)
PLACEHOLDER = "{t0}"


def kernel_at(template: str, memory: float) -> Kernel:
    """The target of ``template`` with ``{t0}`` replaced by ``memory``."""
    if PLACEHOLDER not in template:
        raise SeqmemValueError(
            f"the memory template {template!r} has no {PLACEHOLDER} placeholder "
            f"(e.g. {REFERENCE_TEMPLATE!r})"
        )
    return from_spec(template.replace(PLACEHOLDER, format_number(memory)))


@dataclass(frozen=True)
class MemoryRun:
    """One training run of a plateau sweep.

    Attributes:
        memory: t₀.
        run: the training curve.
        escape: the plateau and its escape (None: no plateau, or no escape within budget).
        escape_rate: the smallest decay rate around the escape, over the recorded points
            with t_esc/2 ≤ t ≤ 2t_esc (NaN without an escape): the rate of the mode that
            moved out to capture the memory (it overshoots and comes back afterwards).
        plateau_rate: the smallest decay rate in the middle of the plateau (log scale).
        time_scale: flow time per step: the learning rate η for GD, η/(1 − β) for
            momentum (its steady-state step), η for Adam (not a flow time), 1 for the flow;
            ``escape.length × time_scale`` is comparable to flow time for all but Adam.
    """

    memory: float
    run: TrainingRun
    escape: Escape | None
    escape_rate: float
    plateau_rate: float
    time_scale: float


@dataclass(frozen=True)
class PlateauSweep:
    """Plateau length against memory (experiment (b), and (d) on sampled data)."""

    template: str
    optimizer: str
    loss: str
    model: str
    learning_rate: float | None
    memory: list[float]
    plateau_length: list[float | None]
    plateau_level: list[float | None]
    escape_rates: list[float | None]
    plateau_rates: list[float | None]
    fit: LogLengthFit | None
    predicted_slope: float | None
    runs: list[MemoryRun]
    seconds: float

    def as_dict(self) -> dict:
        """{"memory", "plateau_length", "plateau_level", "escape_rates", "fit", ...}."""
        return {
            "template": self.template,
            "optimizer": self.optimizer,
            "loss": self.loss,
            "model": self.model,
            "learning_rate": self.learning_rate,
            "memory": self.memory,
            "plateau_length": self.plateau_length,
            "plateau_level": self.plateau_level,
            "escape_rates": self.escape_rates,
            "plateau_rates": self.plateau_rates,
            "fit": None if self.fit is None else self.fit.as_dict(),
            "predicted_slope": self.predicted_slope,
            "seconds": self.seconds,
        }


def _none_if_nan(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _measure(
    memory: float, run: TrainingRun, escape: float, time_scale: float, sampled: bool = False
) -> MemoryRun:
    if run.population_loss is None and sampled:
        # noisy (tanh on samples): block-averaged batch losses, smoothed and with a lasting
        # escape (find_plateaus' running median)
        found = plateau_escape(run.loss, run.steps, escape=escape, band=NOISY_BAND)
    else:  # exact: the population loss (of a linear model even when trained on samples)
        curve = run.loss if run.population_loss is None else run.population_loss
        curve = np.maximum(curve, 0.0)
        band = exact_plateau_band(curve, run.steps)
        found = plateau_escape(curve, run.steps, escape=escape, band=band)
    escape_rate = plateau_rate = math.nan
    if found is not None:
        around = (run.steps >= found.escape_time / 2) & (run.steps <= 2 * found.escape_time)
        escape_rate = float(run.rates[around].min())
        middle = math.sqrt(max(found.start, run.steps[1]) * found.escape_time)
        plateau_rate = float(run.rates[np.searchsorted(run.steps, middle)].min())
    return MemoryRun(memory, run, found, escape_rate, plateau_rate, time_scale)


def plateau_sweep(
    template: str = REFERENCE_TEMPLATE,
    memories: Sequence[float] = REFERENCE_MEMORIES,
    *,
    optimizer: str = "flow",
    learning_rate: float | None = None,
    width: int = 4,
    init_rates: tuple[float, float] = (2.5, 3.5),
    init_weight: float = 0.1,
    seed: int = 0,
    escape: float = 0.8,
    loss: str = "population",
    model: str = "linear",
    max_steps: int | float | None = None,
    progress=None,
    **sampled_options,
) -> PlateauSweep:
    """Train on ``template`` at each memory t₀ and measure the plateau before the escape.

    The plateau is the first one :func:`~seqmem.dynamics.plateaus.find_plateaus` finds; its
    length runs from its start (the end of the ρ̄ transient) to the escape, the first time
    the loss falls below ``escape`` × the plateau level. Gradient flow runs to flow time
    ``max_steps`` (default 10⁸) but stops one decade after an escape; the discrete
    optimisers start with 2·10⁴ steps (5·10³ on sampled data) and quadruple the budget while
    the loss is stuck and the escape is not inside the first half of the run, up to
    ``max_steps`` (default 1.6·10⁷ steps on the population loss, 2·10⁴ on sampled data).
    Lengths are in flow time (flow) or steps. A linear model trained on samples is measured
    on its population loss (exact); a tanh model on its block-averaged batch loss.

    The predicted slope is ln(1 + w̄), w̄ the mean over memories of the smallest rate in
    the middle of the plateau (ℒρ₀(w̄) ∝ (1 + w̄)^{−t₀} for the gamma-bump memory part).

    Args:
        template: a kernel spec with the ``{t0}`` placeholder.
        memories: the t₀ values.
        optimizer, learning_rate, width, init_rates, init_weight, seed, loss, model: passed
            to :func:`~seqmem.dynamics.train.train`.
        escape: the escape threshold as a fraction of the plateau level, in (0, 1).
        max_steps: the largest flow time or step budget.
        progress: called with a line of text after each memory (e.g. ``print``), or None.
        sampled_options: ``dt``, ``batch``, ``length`` for sampled data.
    """
    started = time.perf_counter()
    memories = [check_positive("memory", t0, owner="plateau_sweep") for t0 in memories]
    if not memories:
        raise SeqmemValueError("plateau_sweep needs at least one memory value")
    if not 0 < escape < 1:
        raise SeqmemValueError(f"the 'escape' of plateau_sweep must be in (0, 1); got {escape}")
    kernels = [kernel_at(template, t0) for t0 in memories]  # validate every spec first
    if optimizer != "flow" and learning_rate is None:
        learning_rate = DEFAULT_LEARNING_RATES.get(optimizer)
    options = dict(
        width=width,
        init_rates=init_rates,
        init_weight=init_weight,
        seed=seed,
        optimizer=optimizer,
        learning_rate=learning_rate,
        loss=loss,
        model=model,
        **sampled_options,
    )
    runs = []
    for t0, kernel in zip(memories, kernels, strict=True):
        if optimizer == "flow":
            final_time = 1e8 if max_steps is None else float(max_steps)
            run = train(kernel, steps=final_time, flow_stop=_stop_after_escape(escape), **options)
            measured = _measure(t0, run, escape, 1.0)
        else:
            measured = _train_until_escape(t0, kernel, options, escape, max_steps)
        runs.append(measured)
        if progress is not None:
            length = "no escape" if measured.escape is None else f"{measured.escape.length:.4g}"
            progress(
                f"t0 = {format_number(t0)}: plateau length {length} ({measured.run.seconds:.1f} s)"
            )

    return summarise(
        template,
        runs,
        optimizer=optimizer,
        loss=loss,
        model=model,
        learning_rate=None if optimizer == "flow" else options["learning_rate"],
        seconds=time.perf_counter() - started,
    )


def summarise(
    template: str,
    runs: Sequence[MemoryRun],
    *,
    optimizer: str,
    loss: str,
    model: str,
    learning_rate: float | None,
    seconds: float,
) -> PlateauSweep:
    """The sweep made of ``runs`` (one per memory): lengths, levels, rates, the log-length
    fit and the predicted slope ln(1 + w̄) (see :func:`plateau_sweep`)."""
    runs = list(runs)
    lengths = [None if r.escape is None else r.escape.length for r in runs]
    known = [(r.memory, r.escape.length) for r in runs if r.escape is not None]
    fit = fit_log_length(*zip(*known, strict=True)) if len(known) >= 2 else None
    plateau_rates = [r.plateau_rate for r in runs if math.isfinite(r.plateau_rate)]
    predicted = math.log1p(float(np.mean(plateau_rates))) if plateau_rates else None
    return PlateauSweep(
        template=template,
        optimizer=optimizer,
        loss=loss,
        model=model,
        learning_rate=learning_rate,
        memory=[float(r.memory) for r in runs],
        plateau_length=lengths,
        plateau_level=[None if r.escape is None else r.escape.level for r in runs],
        escape_rates=[_none_if_nan(r.escape_rate) for r in runs],
        plateau_rates=[_none_if_nan(r.plateau_rate) for r in runs],
        fit=fit,
        predicted_slope=predicted,
        runs=runs,
        seconds=seconds,
    )


def memory_run_record(measured: MemoryRun) -> tuple[dict, dict[str, np.ndarray]]:
    """A :class:`MemoryRun` as (JSON-able metrics, arrays), for a results store."""
    escape = measured.escape
    metrics, curves = measured.run.record()
    metrics |= {
        "memory": measured.memory,
        "escaped": escape is not None,
        "plateau_start": None if escape is None else escape.start,
        "escape_time": None if escape is None else escape.escape_time,
        "plateau_length": None if escape is None else escape.length,
        "plateau_level": None if escape is None else escape.level,
        "escape_rate": _none_if_nan(measured.escape_rate),
        "plateau_rate": _none_if_nan(measured.plateau_rate),
        "time_scale": measured.time_scale,
        "training_time": None if escape is None else escape.length * measured.time_scale,
    }
    return metrics, curves


def memory_run_from_record(metrics: dict, curves: dict[str, np.ndarray]) -> MemoryRun:
    """The :class:`MemoryRun` that :func:`memory_run_record` stored."""
    escape = None
    if metrics["escaped"]:
        escape = Escape(
            start=metrics["plateau_start"],
            escape_time=metrics["escape_time"],
            length=metrics["plateau_length"],
            level=metrics["plateau_level"],
        )
    return MemoryRun(
        memory=metrics["memory"],
        run=TrainingRun.from_record(metrics, curves),
        escape=escape,
        escape_rate=_nan_if_none(metrics["escape_rate"]),
        plateau_rate=_nan_if_none(metrics["plateau_rate"]),
        time_scale=metrics["time_scale"],
    )


#: learning rates of experiment (b): GD and momentum advance the same flow time per step
REFERENCE_LEARNING_RATES = {"gd": 0.05, "momentum": 0.005, "adam": 0.01}


def reference_plateaus(
    memories: Sequence[float] = REFERENCE_MEMORIES,
    optimizers: Sequence[str] = ("flow", "gd", "momentum", "adam"),
    *,
    progress=None,
) -> dict[str, PlateauSweep]:
    """Experiment (b): the reference sweep of docs/mathematics.md §4.4 under each optimiser.

    GD runs at η = 0.05 and momentum at η = 0.005 with β = 0.9 (the same steady-state step
    η/(1 − β) = 0.05), so their plateau lengths in steps × 0.05 should equal the flow times;
    Adam at η = 0.01 normalises its steps and is expected to escape with a smaller exponent.
    """
    return {
        name: plateau_sweep(
            memories=memories,
            optimizer=name,
            learning_rate=REFERENCE_LEARNING_RATES.get(name),
            progress=progress,
        )
        for name in optimizers
    }


def sampled_plateaus(
    memories: Sequence[float] = (3, 4, 5, 6),
    models: Sequence[str] = ("linear", "tanh"),
    *,
    learning_rate: float = 0.01,
    max_steps: int | float = 2e4,
    progress=None,
    **sampled_options,
) -> dict[str, PlateauSweep]:
    """Experiment (d): the reference target trained by Adam on fresh white-noise batches,
    for the linear and the tanh RNN (``dt``, ``batch``, ``length`` in ``sampled_options``)."""
    return {
        model: plateau_sweep(
            memories=memories,
            optimizer="adam",
            learning_rate=learning_rate,
            loss="sampled",
            model=model,
            max_steps=max_steps,
            progress=progress,
            **sampled_options,
        )
        for model in models
    }


def _stop_after_escape(escape: float):
    """A flow ``stop`` rule: end the run one decade of flow time after the escape."""

    def stop(times: np.ndarray, losses: np.ndarray) -> bool:
        if len(times) < 3:
            return False
        losses = np.maximum(losses, 0.0)
        band = exact_plateau_band(losses, times)
        found = plateau_escape(losses, times, escape=escape, band=band)
        return found is not None and times[-1] >= 10.0 * found.escape_time

    return stop


def _stuck(losses: np.ndarray, escape: float) -> bool:
    """Whether a run ends about where it stood early on (so more steps may help).

    A run that never left its early level may still escape later; one that fell well below
    it has converged (with no plateau, or none this rule can see) and is done.
    """
    early = np.median(losses[1:4])  # just after the start: the short transient is over
    return losses[-1] >= escape * early


def _train_until_escape(t0, kernel, options, escape, max_steps) -> MemoryRun:
    sampled = options["loss"] == "sampled"
    time_scale = options["learning_rate"]
    if options["optimizer"] == "momentum":
        time_scale /= 1.0 - MOMENTUM
    budget = (2e4 if sampled else 1.6e7) if max_steps is None else float(max_steps)
    steps = min(5e3 if sampled else 2e4, budget)
    while True:
        run = train(kernel, steps=int(steps), **options)
        measured = _measure(t0, run, escape, time_scale, sampled)
        inside = measured.escape is not None and measured.escape.escape_time <= steps / 2
        if inside or steps >= budget or not _stuck(run.loss, escape):
            return measured
        steps = min(4 * steps, budget)


@dataclass(frozen=True)
class NoPlateau:
    """Experiment (a): a target the model represents exactly trains without a plateau."""

    kernel: str
    run: TrainingRun
    best_loss: float


def no_plateau(
    spec: str = "exp(rate=0.5)+exp(rate=2)", *, width: int = 4, final_time: float = 1e6
) -> NoPlateau:
    """Gradient flow from the reference initialisation on an exponential-sum target."""
    kernel = from_spec(spec)
    run = train(kernel, width, optimizer="flow", steps=final_time)
    return NoPlateau(kernel.spec, run, float(best_fit(kernel, width).l2_error ** 2))


@dataclass(frozen=True)
class StallLabel:
    """What a run's loss curve shows, judged against the best width-m loss (experiment (c)).

    Attributes:
        kind: how the run ends, the first that applies of
            "approximation floor": within a factor 1.5 of ``best_loss`` ≥ 10⁻³‖ρ‖² (no
            width-m model does much better: the stall is not an optimisation problem);
            "fitted": below 10⁻³‖ρ‖² (at its best loss or not);
            "optimisation plateau (not escaped)": on a flat tail far above ``best_loss``
            (:func:`~seqmem.dynamics.plateaus.final_stall`);
            "still improving": none of these (slow convergence at the end of the run);
            prefixed by "optimisation plateau (escaped), then " when the curve had a
            plateau followed by an escape.
        stall_level: the escaped plateau's level, else the final loss.
        final_loss: the loss at the end of the run.
        best_loss: the smallest population loss of any width-m model: the squared L²
            error of :func:`~seqmem.approximation.best_fit`.
    """

    kind: str
    stall_level: float
    final_loss: float
    best_loss: float


def stall_kind(kernel: Kernel, run: TrainingRun, *, oscillating: bool = False) -> StallLabel:
    """Label what ``run`` (trained on ``kernel``) shows; see :class:`StallLabel`.

    ``oscillating``: the run had m oscillating modes (2m real units); it is compared with
    the best fit with up to m conjugate pairs.
    """
    width = run.rates.shape[1]
    fit = best_fit(kernel, 2 * width if oscillating else width, oscillating=oscillating)
    best, final = float(fit.l2_error**2), float(run.final_loss)
    small = 1e-3 * kernel.l2_norm_squared()
    if final <= 1.5 * best:
        kind = "approximation floor" if best >= small else "fitted"
    elif final <= small:
        kind = "fitted"
    elif final_stall(np.maximum(run.loss, 0.0), run.steps, band=EXACT_BANDS[-1]) is not None:
        kind = "optimisation plateau (not escaped)"
    else:
        kind = "still improving"
    level = final
    if run.plateaus and final < 0.8 * run.plateaus[0].level:
        kind, level = f"optimisation plateau (escaped), then {kind}", run.plateaus[0].level
    return StallLabel(kind, float(level), final, best)


@dataclass(frozen=True)
class StallRow:
    """One run of the stall survey: a target, its memory, the kind of modes, the label."""

    template: str
    memory: float
    modes: str
    label: StallLabel
    run: TrainingRun


def stall_survey(
    templates: Sequence[str] = ("exp(rate=3)+bump(t0={t0})", "airy(t0={t0})"),
    memories: Sequence[float] = (2, 3, 4, 5, 6),
    *,
    width: int = 4,
    final_time: float = 1e7,
    modes: Sequence[str] = ("real", "oscillating"),
    progress=None,
) -> list[StallRow]:
    """Experiment (c): gradient flow with real and with oscillating modes on each target at
    each memory, every run labelled by :func:`stall_kind` (the reference initialisation)."""
    rows = []
    for template in templates:
        for t0 in memories:
            kernel = kernel_at(template, t0)
            for kind in modes:
                oscillating = kind == "oscillating"
                run = train(
                    kernel, width, optimizer="flow", steps=final_time, oscillating=oscillating
                )
                label = stall_kind(kernel, run, oscillating=oscillating)
                rows.append(StallRow(template, float(t0), kind, label, run))
                if progress is not None:
                    progress(f"{kernel.spec} ({kind} modes): {label.kind}")
    return rows
