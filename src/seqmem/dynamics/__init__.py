"""Training dynamics of recurrent models on memory targets and on data (ICLR 2021, §5).

One entry point per task, strategies passed in:

- :func:`train` trains on a known kernel ρ (the population loss, or sampled white noise);
- :func:`train_on_data` trains on sequences (x, y) by epochs, with a validation split.

Both start from a width or a model object (:class:`~seqmem.rnn.LinearRNN`, diagonal real,
complex or dense; :class:`~seqmem.tanh_rnn.TanhRNN`), take an optimiser by name or as any
optax ``GradientTransformation``, and a rate map by name or object (:mod:`seqmem.reparam`).

Example:
    >>> import optax
    >>> from seqmem.kernels import from_spec
    >>> from seqmem.rnn import LinearRNN
    >>> start = LinearRNN.from_rates([0.5, 2.0], [0.1, 0.1])
    >>> run = train(from_spec("exp(rate=1)"), start, optimizer=optax.adamw(0.02), steps=3000)
    >>> bool(run.final_loss < 1e-6), run.model.width
    (True, 2)
"""

from seqmem.dynamics.data import train_on_data
from seqmem.dynamics.flow import FlowTrajectory, gradient_flow
from seqmem.dynamics.loss import PopulationLoss, model_population_loss, population_loss
from seqmem.dynamics.plateaus import (
    Escape,
    LogLengthFit,
    Plateau,
    final_stall,
    find_plateaus,
    fit_log_length,
    plateau_escape,
)
from seqmem.dynamics.run import TrainingRun
from seqmem.dynamics.train import train
from seqmem.dynamics.trainable import Trainable, initial_model, trainable

__all__ = [
    "Escape",
    "FlowTrajectory",
    "LogLengthFit",
    "Plateau",
    "PopulationLoss",
    "Trainable",
    "TrainingRun",
    "final_stall",
    "find_plateaus",
    "fit_log_length",
    "gradient_flow",
    "initial_model",
    "model_population_loss",
    "plateau_escape",
    "population_loss",
    "train",
    "train_on_data",
    "trainable",
]
