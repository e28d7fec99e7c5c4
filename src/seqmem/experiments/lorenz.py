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

import numpy as np

from seqmem.approximation import best_fit
from seqmem.dynamics.data import train_on_data
from seqmem.dynamics.run import TrainingRun
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
        reachable_loss: the loss on the same data of a width-m real diagonal linear model
            the run could reach: the best L² fit (real rates) of the linear-response kernel,
            its read-out scaled by least squares on the data. An upper bound on the best
            loss of the run's model class (a tanh RNN with small weights acts linearly).
        run: the training curve (loss on the standardised output, variance 1).
    """

    read_out: int
    model: str
    memory_centroid: float
    linear_response_unexplained: float
    reachable_loss: float
    run: TrainingRun


def _ratio_of_sums(numerator: np.ndarray, denominator: np.ndarray) -> float:
    # sums correctly rounded (fsum), not BLAS dots: a threaded dot adds in an order that
    # depends on the thread count, which differs between a sweep's worker processes
    return math.fsum(numerator.ravel()) / math.fsum(denominator.ravel())


def reachable_loss(
    system: Lorenz96, x: np.ndarray, y: np.ndarray, width: int, burn_in: int, dt: float
) -> float:
    """The loss mean_{k ≥ b}(y_k − a ŷ_k)² of the best real width-m L² fit ρ̂ of the linear
    response (:func:`~seqmem.approximation.best_fit`), ŷ = ρ̂ * x, a by least squares."""
    fit = best_fit(system.linear_model().to_kernel(), width, oscillating=False)
    predicted = fit.model.outputs(x, dt)[:, burn_in:]
    target = y[:, burn_in:]
    scale = _ratio_of_sums(target * predicted, predicted * predicted)
    residual = target - scale * predicted
    return _ratio_of_sums(residual * residual, np.ones_like(residual))


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
    """Generate Lorenz-96 data read at site ``read_out`` and train a width-m RNN on it.

    ``steps`` optimiser steps of ``batch`` sequences, rounded up to whole epochs over the
    ``sequences`` (:func:`~seqmem.dynamics.data.train_on_data`)."""
    system = Lorenz96(read_out=read_out)
    x, y, info = lorenz_dataset(system, batch=sequences, length=length, seed=seed)
    burn_in = info["burn_in"]
    linear = system.linear_model().outputs(x, 0.1)[:, burn_in:].ravel()
    target = y[:, burn_in:].ravel()
    centred = linear - linear.mean()
    explained = _ratio_of_sums(target * centred, target * target) * _ratio_of_sums(
        target * centred, centred * centred
    )
    run = train_on_data(
        x,
        y,
        width,
        model=model,
        dt=0.1,
        learning_rate=learning_rate,
        epochs=math.ceil(steps / (sequences // batch)),
        batch=batch,
        burn_in=burn_in,
        seed=seed,
    )
    reachable = reachable_loss(system, x, y, width, burn_in, 0.1)
    return LorenzRun(
        read_out, model, system.memory_centroid(), float(1.0 - explained), reachable, run
    )
