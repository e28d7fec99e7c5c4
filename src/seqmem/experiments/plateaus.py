"""The optimisation experiments of ICLR 2021 §5: plateaus that grow exponentially with memory.

Targets ρ = ρ̄ + ρ₀(· − t₀) with a short-memory part ρ̄ and a memory part ρ₀ placed t₀ in the
past. Training fits ρ̄ fast, sits on a plateau at J ≈ ‖ρ₀‖², and escapes only once one mode's
decay rate has drifted to O(1/t₀); the pull on a mode with rate w is ∝ ℒρ₀(w), which for the
reference target of docs/mathematics.md §4.4, ρ = e^{−3t} + gammabump(k = t₀), is
∝ (1 + w)^{−(t₀+1)}. So the escape time should grow like (1 + w̄)^{t₀}: log-length slope
ln(1 + w̄) in t₀, w̄ the rates on the plateau.

(a) :func:`no_plateau` (:mod:`seqmem.experiments.no_plateau`): an exponential-sum target,
    fitted without a plateau;
(b) :func:`reference_plateaus`: the reference sweep under flow, GD, momentum and Adam, each
    a :func:`plateau_sweep` (:mod:`seqmem.experiments.plateau_sweep`: plateau length against
    memory for one optimiser, with the log-length fit and the predicted slope);
(c) :func:`stall_survey` (:mod:`seqmem.experiments.stalls`): Gaussian-bump and Airy targets
    with real and oscillating modes, each run labelled by :func:`stall_kind`: an
    optimisation plateau or the approximation floor (the best width-m loss, by
    :func:`~seqmem.approximation.best_fit`);
(d) :func:`sampled_plateaus`: the same on sampled data (linear and tanh RNNs, Adam);
(e) the escape mechanism: :attr:`MemoryRun.escape_rate`, the smallest rate at escape,
    against 1/(2t₀ + 1), the best single-mode rate for the gamma bump.

This module runs (b) and (d) and gathers the names of all five, importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence

from seqmem.experiments.no_plateau import NoPlateau, no_plateau
from seqmem.experiments.plateau_sweep import (
    PLACEHOLDER,
    REFERENCE_MEMORIES,
    REFERENCE_TEMPLATE,
    MemoryRun,
    PlateauSweep,
    kernel_at,
    memory_run_from_record,
    memory_run_record,
    plateau_sweep,
    summarise,
)
from seqmem.experiments.stalls import StallLabel, StallRow, stall_kind, stall_survey

__all__ = [
    "PLACEHOLDER",
    "REFERENCE_LEARNING_RATES",
    "REFERENCE_MEMORIES",
    "REFERENCE_TEMPLATE",
    "MemoryRun",
    "NoPlateau",
    "PlateauSweep",
    "StallLabel",
    "StallRow",
    "kernel_at",
    "memory_run_from_record",
    "memory_run_record",
    "no_plateau",
    "plateau_sweep",
    "reference_plateaus",
    "sampled_plateaus",
    "stall_kind",
    "stall_survey",
    "summarise",
]

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
