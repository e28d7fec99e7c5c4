"""Training dynamics of linear RNNs on memory targets (ICLR 2021, §5)."""

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
from seqmem.dynamics.train import TrainingRun, train

__all__ = [
    "Escape",
    "FlowTrajectory",
    "LogLengthFit",
    "Plateau",
    "PopulationLoss",
    "TrainingRun",
    "final_stall",
    "find_plateaus",
    "fit_log_length",
    "gradient_flow",
    "model_population_loss",
    "plateau_escape",
    "population_loss",
    "train",
]
