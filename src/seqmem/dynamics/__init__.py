"""Training dynamics of linear RNNs on memory targets (ICLR 2021, §5)."""

from seqmem.dynamics.loss import PopulationLoss, model_population_loss, population_loss

__all__ = ["PopulationLoss", "model_population_loss", "population_loss"]
