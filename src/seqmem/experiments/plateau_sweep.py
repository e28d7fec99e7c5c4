"""The plateau sweep of ICLR 2021 §5: plateau length against the memory t₀ of a target.

Targets ρ = ρ̄ + ρ₀(· − t₀) come from a template with a ``{t0}`` placeholder
(:func:`kernel_at`). :func:`plateau_sweep` trains on each, measures the first plateau and
its escape (:class:`MemoryRun`: the length, the level, the smallest decay rate around the
escape and in the middle of the plateau), and :func:`summarise` fits log(length) against t₀
with the predicted slope ln(1 + w̄) (:class:`PlateauSweep`). :func:`memory_run_record` and
:func:`memory_run_from_record` carry one measured run through a results store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.dynamics.loop import MOMENTUM
from seqmem.dynamics.plateau_law import LogLengthFit, fit_log_length
from seqmem.dynamics.plateaus import Escape, plateau_escape
from seqmem.dynamics.run import NOISY_BAND, TrainingRun, exact_plateau_band
from seqmem.dynamics.train import DEFAULT_LEARNING_RATES, train
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
