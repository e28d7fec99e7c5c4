"""Experiment (c) of ICLR 2021 §5: what a stalled run shows, optimisation or approximation.

Gaussian-bump and Airy targets, trained by gradient flow with real and with oscillating
modes (:func:`stall_survey`); every run is labelled by :func:`stall_kind` against the best
width-m loss (:func:`~seqmem.approximation.best_fit`): an optimisation plateau (escaped or
not), the approximation floor (no width-m model does much better), fitted, or still
improving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqmem.approximation import best_fit
from seqmem.dynamics.plateaus import final_stall
from seqmem.dynamics.run import EXACT_BANDS, TrainingRun
from seqmem.dynamics.train import train
from seqmem.experiments.plateau_sweep import kernel_at
from seqmem.kernels import Kernel


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
