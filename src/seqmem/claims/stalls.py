"""The claims of the stall survey: an approximation floor for far bumps, plateaus for Airy
targets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seqmem.claims._format import listed
from seqmem.claims.plateaus import OPTIMISATION
from seqmem.claims.thresholds import (
    FLOOR_FACTOR,
    FLOOR_SHARE,
    UNLEARNED_SHARE,
)
from seqmem.report import Claim


def bump_floor(
    memories: Sequence[float],
    escaped: Sequence[bool],
    final_losses: Sequence[float],
    best_losses: Sequence[float],
    energies: Sequence[float],
    *,
    template: str,
) -> Claim:
    """A Gaussian bump fitted by real modes ends on an approximation floor.

    Decisive: the largest final/best loss over the runs that escaped their first plateau,
    ≤ :data:`FLOOR_FACTOR`, with every best loss ≥ :data:`FLOOR_SHARE` × ‖ρ‖² (a floor,
    not a residue) and at least two runs escaped (runs still on their first plateau are
    not counted: they have not ended anywhere yet).
    """
    ratios = [f / b for f, b, e in zip(final_losses, best_losses, escaped, strict=True) if e]
    shares = np.divide(best_losses, energies)
    worst = max(ratios) if ratios else math.nan
    return Claim(
        "bump-floor",
        "A Gaussian bump far in the past, fitted by real modes, ends on an approximation "
        "floor (no width-4 real model does much better), not only an optimisation plateau.",
        worst,
        f"every run that escaped its plateau ends within {FLOOR_FACTOR}× the best width-4 "
        f"loss, which is ≥ {FLOOR_SHARE} ‖ρ‖² at every t₀ (two escaped runs at least); "
        "measured: the largest final/best",
        bool(len(ratios) >= 2 and worst <= FLOOR_FACTOR and np.all(shares >= FLOOR_SHARE)),
        OPTIMISATION,
        "; ".join(
            f"t₀ = {t0:g}: final/best {f / b:.3g}"
            + ("" if e else " (still on its first plateau: not counted)")
            + f", best/‖ρ‖² {s:.3g}"
            for t0, e, f, b, s in zip(
                memories, escaped, final_losses, best_losses, shares, strict=True
            )
        )
        + ".",
        {"template": template, "width": 4},
        "stall_survey.png",
    )


def airy_plateau(
    memories: Sequence[float],
    start_losses: Sequence[float],
    final_losses: Sequence[float],
    best_losses: Sequence[float],
    *,
    template: str,
) -> Claim:
    """Real modes on Airy targets stall on optimisation plateaus once the memory is long.

    The unlearned share (J_end − J_best)/(J_start − J_best) is 0 for a run that reached the
    best width-m loss and 1 for one that learned nothing. A run is on an optimisation plateau
    when it learned less than half (share ≥ :data:`UNLEARNED_SHARE`) far from its floor
    (J_end > :data:`FLOOR_FACTOR` × J_best); on its floor when within that factor of a best
    loss that is ≥ :data:`FLOOR_SHARE` × J_start (the model cannot do much better: neither
    stuck nor learned); else it learned. Decisive: the number of memories on a plateau, ≥ 2,
    every one longer than every memory where the run learned, at least one run learned.
    """
    shares, stuck, learned = [], [], []
    for t0, s, f, b in zip(memories, start_losses, final_losses, best_losses, strict=True):
        shares.append((f - b) / (s - b))
        if shares[-1] >= UNLEARNED_SHARE and f > FLOOR_FACTOR * b:
            stuck.append(t0)
        elif not (f <= FLOOR_FACTOR * b and b >= FLOOR_SHARE * s):
            learned.append(t0)
    return Claim(
        "airy-plateau",
        "Airy targets with growing memory show optimisation plateaus (far above the best "
        "width-m loss), the paper's numerical evidence.",
        float(len(stuck)),
        f"two memories or more where the run removed less than half of the loss a width-4 "
        f"model can remove and ends above {FLOOR_FACTOR}× the best loss, all longer than "
        "every memory where it learned; measured: the number of such memories",
        bool(len(stuck) >= 2 and learned and min(stuck) > max(learned)),
        OPTIMISATION,
        "Unlearned share "
        + "; ".join(f"t₀ = {t0:g}: {v:.3g}" for t0, v in zip(memories, shares, strict=True))
        + f" (final/best {listed(np.divide(final_losses, best_losses))}); on a plateau at "
        f"t₀ = {stuck}, learned at t₀ = {learned}, the rest on their floor.",
        {"template": template, "width": 4},
        "stall_survey.png",
    )
