"""The nonlinear Lorenz-96 target of ICLR 2021 §5 (our choice, docs/mathematics.md §4.8):
memory and training.

The output X_j − F of a forced Lorenz-96 ring (:mod:`seqmem.lorenz`) is a fading-memory
functional of the input whose memory grows with the read-out site j. :func:`lorenz_run`
measures, for one j, the memory centroid of its linear response, how much of the output
that linear response misses (the nonlinearity), and how a width-m RNN trained by Adam on
sampled data fits it (:func:`~seqmem.dynamics.data.train_on_data`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqmem.dynamics.data import train_on_data
from seqmem.dynamics.train import TrainingRun
from seqmem.lorenz import Lorenz96, lorenz_dataset


@dataclass(frozen=True)
class LorenzRun:
    """One read-out site: memory, linear-response misfit and a training run.

    Attributes:
        read_out: the site j.
        model: "linear" or "tanh".
        memory_centroid: ∫tρ_j²/∫ρ_j² of the linear-response kernel ρ_j.
        linear_response_unexplained: 1 − corr(y, ρ_j * x)² on the data (after burn-in):
            the share of the output variance that the (best-scaled) linear response misses.
        run: the training curve (loss on the standardised output, variance 1).
    """

    read_out: int
    model: str
    memory_centroid: float
    linear_response_unexplained: float
    run: TrainingRun


def lorenz_run(
    read_out: int,
    model: str = "linear",
    *,
    width: int = 32,
    learning_rate: float = 0.01,
    steps: int = 3000,
    batch: int = 32,
    sequences: int = 256,
    length: int = 400,
    seed: int = 0,
) -> LorenzRun:
    """Generate Lorenz-96 data read at site ``read_out`` and train a width-m RNN on it."""
    system = Lorenz96(read_out=read_out)
    x, y, info = lorenz_dataset(system, batch=sequences, length=length, seed=seed)
    burn_in = info["burn_in"]
    linear = system.linear_model().outputs(x, 0.1)[:, burn_in:].ravel()
    target = y[:, burn_in:].ravel()
    centred = linear - linear.mean()
    # sums correctly rounded (fsum), not BLAS dots: a threaded dot adds in an order that
    # depends on the thread count, which differs between a sweep's worker processes
    explained = math.fsum(target * centred) ** 2 / (
        math.fsum(target * target) * math.fsum(centred * centred)
    )
    run = train_on_data(
        x,
        y,
        width,
        model=model,
        learning_rate=learning_rate,
        steps=steps,
        batch=batch,
        burn_in=burn_in,
        seed=seed,
    )
    return LorenzRun(read_out, model, system.memory_centroid(), float(1.0 - explained), run)
