"""The result of a training run: the loss curve, the parameters along it, the trained model,
and the plateaus on the curve (:func:`~seqmem.dynamics.plateaus.find_plateaus` with the band
that suits the curve's kind)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from seqmem.dynamics.plateaus import Plateau, find_plateaus
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

#: plateau bands of find_plateaus: sampled losses need the wider band against their noise
NOISY_BAND = 0.1
#: exact curves: the tightest band that finds a plateau. A band wider than the short-memory
#: transient (≈5 % on the reference target) merges the plateau into the initial condition,
#: which find_plateaus does not count; a band too tight misses short plateaus that drift.
EXACT_BANDS = (0.02, 0.05)


def exact_plateau_band(losses: np.ndarray, times: np.ndarray) -> float:
    """The first of ``EXACT_BANDS`` with which an exact loss curve shows a plateau."""
    for band in EXACT_BANDS[:-1]:
        if find_plateaus(losses, times, band=band):
            return band
    return EXACT_BANDS[-1]


@dataclass(frozen=True)
class TrainingRun:
    """A training curve, the parameters along it and the trained model.

    Attributes:
        steps: the recorded steps (flow times τ for gradient flow), shape (n,).
        loss: the loss there (for sampled data: the mean batch loss over the block of
            steps that starts there), shape (n,).
        weights: read-out weights a at those steps, shape (n, m) (None for a dense model).
        rates: decay rates w there, shape (n, m) (None for a dense model).
        final_loss: the loss after the last step (sampled data: the last block's mean).
        plateaus: :func:`~seqmem.dynamics.plateaus.find_plateaus` of the curve.
        seconds: wall time of the run, compilation included.
        population_loss: the population loss of a linear model trained on sampled data,
            at the recorded steps (the noise-free view of the same run); else None.
        model: the trained model object (a :class:`~seqmem.rnn.LinearRNN` or
            :class:`~seqmem.tanh_rnn.TanhRNN`) with the final parameters; for training on
            data with a validation split, the parameters of the best validation loss. None
            for a run loaded from a store.
        validation_loss: the validation loss after each epoch (training on data), or None.
        best_epoch: the epoch (from 1) whose parameters ``model`` holds, or None.
    """

    steps: np.ndarray
    loss: np.ndarray
    weights: np.ndarray | None
    rates: np.ndarray | None
    final_loss: float
    plateaus: list[Plateau]
    seconds: float
    population_loss: np.ndarray | None = field(default=None)
    model: LinearRNN | TanhRNN | None = field(default=None)
    validation_loss: np.ndarray | None = field(default=None)
    best_epoch: int | None = field(default=None)

    def record(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able metrics, arrays) for a results store; no timing, so the metrics do not
        depend on the machine (the store keeps the run's time itself)."""
        final = self.final_loss
        metrics = {
            "final_loss": final if np.isfinite(final) else None,
            "plateaus": [[p.start, p.end, p.level] for p in self.plateaus],
        }
        curves = {
            name: value
            for name in ("steps", "loss", "weights", "rates", "population_loss")
            if (value := getattr(self, name)) is not None
        }
        return metrics, curves

    @classmethod
    def from_record(cls, metrics: dict, curves: dict[str, np.ndarray]) -> TrainingRun:
        """The run that :meth:`record` stored (its wall time is not kept: NaN)."""
        final = metrics["final_loss"]
        return cls(
            steps=curves["steps"],
            loss=curves["loss"],
            weights=curves.get("weights"),
            rates=curves.get("rates"),
            final_loss=np.nan if final is None else float(final),
            plateaus=[Plateau(*p) for p in metrics["plateaus"]],
            seconds=np.nan,
            population_loss=curves.get("population_loss"),
        )

    def as_dict(self) -> dict:
        """{"steps", "loss", "final_loss", "plateaus", "seconds"} (``seqmem train --json``)."""
        return {
            "steps": self.steps.tolist(),
            "loss": self.loss.tolist(),
            "final_loss": self.final_loss,
            "plateaus": [p.as_dict() for p in self.plateaus],
            "seconds": self.seconds,
        }


def curve_plateaus(losses: np.ndarray, times: np.ndarray, *, noisy: bool) -> list[Plateau]:
    """find_plateaus with the band for the curve's kind (noisy: mini-batch losses), losses
    rounded below 0 clipped; none on a curve of fewer than 3 points."""
    if len(losses) < 3:
        return []
    losses = np.maximum(losses, 0.0)
    band = NOISY_BAND if noisy else exact_plateau_band(losses, times)
    return find_plateaus(losses, times, band=band)
