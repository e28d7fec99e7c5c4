"""Fit a recurrent model to an input→output record on disk and save it (``seqmem fit``).

Reads the record (:func:`seqmem.records.load_sequences`), trains a width-m model on it by
:func:`seqmem.dynamics.train_on_data` (a held-out validation fraction, the best validation
epoch kept) and writes the trained model (:func:`seqmem.model_file.save_model`) with the
training summary in its metadata.

Example:
    >>> import tempfile, pathlib, numpy as np
    >>> from seqmem.rnn import LinearRNN
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> x = np.random.default_rng(0).standard_normal((40, 100))
    >>> np.savez(folder / "data.npz", u=x, y=LinearRNN.from_rates([1.0], [1.0]).outputs(x, 0.1))
    >>> fit = fit_record(folder / "data.npz", "u", "y", dt=0.1, width=2, epochs=30,
    ...                  batch=4, learning_rate=0.05, out=folder / "model.npz")
    >>> fit.width, fit.epochs, bool(fit.validation_loss < 1e-3)
    (2, 30, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seqmem.dynamics import train_on_data
from seqmem.model_file import save_model
from seqmem.records import load_sequences


@dataclass(frozen=True)
class RecordFit:
    """What ``seqmem fit`` reports.

    Attributes:
        width: m, the hidden units.
        train_loss: the kept model's mean squared error on the training sequences.
        validation_loss: its error on the held-out sequences (None without a validation set).
        epochs: the epochs run (fewer than asked when stopped early).
        best_epoch: the epoch whose parameters were kept.
        sequences: the number of sequences trained on and held out, (train, validation).
        seconds: wall time of the training.
        model: the path of the saved model file.
    """

    width: int
    train_loss: float
    validation_loss: float | None
    epochs: int
    best_epoch: int
    sequences: tuple[int, int]
    seconds: float
    model: str

    def as_dict(self) -> dict:
        """{"width", "train_loss", "validation_loss", "epochs", "seconds", "model", …}."""
        return {
            "width": self.width,
            "train_loss": self.train_loss,
            "validation_loss": self.validation_loss,
            "epochs": self.epochs,
            "best_epoch": self.best_epoch,
            "sequences": list(self.sequences),
            "seconds": self.seconds,
            "model": self.model,
        }


def fit_record(
    path: str | os.PathLike,
    input: str,
    output: str,
    *,
    dt: float,
    width: int,
    model: str = "linear",
    epochs: int = 20,
    batch: int = 32,
    learning_rate: float = 0.01,
    validation: float = 0.1,
    patience: int | None = None,
    length: int | None = None,
    burn_in: int = 0,
    seed: int = 0,
    out: str | os.PathLike | None = None,
) -> RecordFit:
    """Train a width-m model on the record in ``path`` and save it to ``out``.

    Args:
        path, input, output, length: the record (:func:`~seqmem.records.load_sequences`).
        dt: its sampling step Δ > 0.
        width, model, epochs, learning_rate, patience, burn_in, seed: as in
            :func:`~seqmem.dynamics.train_on_data` (optimiser Adam).
        batch: sequences per step, capped at the number of training sequences.
        validation: the held-out fraction (0 when fewer than 10 sequences: too few to split).
        out: the model file (default: ``<data name>.model.npz`` in the current folder).
    """
    x, y = load_sequences(path, input, output, length=length)
    validation = validation if x.shape[0] >= 10 else 0.0
    held_out = round(validation * x.shape[0])
    run = train_on_data(
        x, y, width, model=model, dt=dt, epochs=epochs,
        batch=min(batch, x.shape[0] - held_out), learning_rate=learning_rate,
        validation=validation, patience=patience, burn_in=burn_in, seed=seed,
    )  # fmt: skip
    out = Path(out) if out is not None else Path(f"{Path(path).stem}.model.npz")
    validation_loss = None if run.validation_loss is None else float(run.validation_loss.min())
    fit = RecordFit(
        width=run.model.width,
        train_loss=run.final_loss,
        validation_loss=validation_loss,
        epochs=len(run.validation_loss) if run.validation_loss is not None else epochs,
        best_epoch=run.best_epoch,
        sequences=(x.shape[0] - held_out, held_out),
        seconds=run.seconds,
        model=str(out),
    )
    metadata = {"source": str(path), "input": input, "output": output, **fit.as_dict()}
    save_model(run.model, out, dt=dt, metadata=metadata)
    return fit
