"""The figure of the Lorenz-96 experiment: memory against the read-out site, training curves."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from seqmem.experiments.lorenz import LorenzRun
from seqmem.figures.plotting import log_mask, memory_colours


def lorenz(runs: Sequence[LorenzRun]) -> Figure:
    """Lorenz-96 target: memory centroid against the read-out site j, and the training
    curves of each model (loss of the standardised output, variance 1) per j."""
    models = sorted({r.model for r in runs}, key=["linear", "tanh"].index)
    figure, axes = plt.subplots(1, 1 + len(models), figsize=(4.2 * (1 + len(models)), 3.8))
    sites = sorted({r.read_out for r in runs})
    first = {r.read_out: r for r in reversed(runs)}
    centroid = axes[0]
    centroid.plot(sites, [first[j].memory_centroid for j in sites], "o-", color="k")
    centroid.set_xlabel("read-out site j")
    centroid.set_ylabel("memory centroid ∫tρ²/∫ρ²")
    centroid.set_title("Memory of the linear response", fontsize=9)
    colours = memory_colours(sites)
    for axis, model in zip(axes[1:], models, strict=True):
        for run in (r for r in runs if r.model == model):
            steps, loss = log_mask(np.asarray(run.run.steps, float) + 1, run.run.loss)
            axis.loglog(steps, loss, color=colours[run.read_out], label=f"j = {run.read_out}")
        axis.set_xlabel("Adam step + 1")
        axis.set_ylabel("loss (output variance = 1)")
        axis.set_title(f"{model} RNN, width {runs[0].run.rates.shape[1]}", fontsize=9)
        axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure
