"""Experiment (a) of ICLR 2021 §5: a target the model represents exactly trains without a
plateau (gradient flow from the reference initialisation on an exponential sum)."""

from __future__ import annotations

from dataclasses import dataclass

from seqmem.approximation import best_fit
from seqmem.dynamics.run import TrainingRun
from seqmem.dynamics.train import train
from seqmem.kernels import from_spec


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
