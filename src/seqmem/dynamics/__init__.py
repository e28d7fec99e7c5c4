"""Training dynamics of linear RNNs on memory targets (ICLR 2021, §5)."""

from seqmem.dynamics.flow import FlowTrajectory, gradient_flow
from seqmem.dynamics.loss import PopulationLoss, model_population_loss, population_loss

__all__ = [
    "FlowTrajectory",
    "PopulationLoss",
    "gradient_flow",
    "model_population_loss",
    "population_loss",
]
