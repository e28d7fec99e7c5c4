"""Figures of the experiments (matplotlib, Agg): plotting only, every number comes computed.

Each function takes the plain data an experiment returned and gives a
``matplotlib.figure.Figure``; :func:`save` writes it as PNG. By section:
:mod:`seqmem.figures.approximation` (§4), :mod:`seqmem.figures.plateaus` (§5) and
:mod:`seqmem.figures.lorenz`; :func:`reproduction_figures` draws them all for a report.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before any figure module imports pyplot

from seqmem.figures.approximation import (
    error_versus_width,
    jackson_rates,
    slowest_rate,
    width_needed,
)
from seqmem.figures.lorenz import lorenz
from seqmem.figures.plateaus import (
    OPTIMIZER_MARKERS,
    escape_mechanism,
    no_plateau,
    plateau_curves,
    plateau_lengths,
    stall_survey,
)
from seqmem.figures.plotting import save

__all__ = [
    "OPTIMIZER_MARKERS",
    "error_versus_width",
    "escape_mechanism",
    "jackson_rates",
    "lorenz",
    "no_plateau",
    "plateau_curves",
    "plateau_lengths",
    "reproduction_figures",
    "save",
    "slowest_rate",
    "stall_survey",
    "width_needed",
]


def reproduction_figures(data: dict, out_dir: str | Path) -> list[str]:
    """Draw every figure the claims of :func:`seqmem.claims.paper_claims` name into
    ``out_dir`` from a reproduction's ``data``; the file names written."""
    sweeps = [data[f"plateau_{name}"] for name in ("flow", "gd", "momentum", "adam")]
    drawers = {
        "error_vs_width.png": lambda: error_versus_width(data["error_curves"]),
        "slowest_rate.png": lambda: slowest_rate(data["error_curves"]),
        "jackson_rates.png": lambda: jackson_rates(data["jackson"]),
        "width_needed.png": lambda: width_needed(data["width_needed"]),
        "no_plateau.png": lambda: no_plateau(data["no_plateau"]),
        "plateau_lengths.png": lambda: plateau_lengths(sweeps),
        "plateau_curves_flow.png": lambda: plateau_curves(data["plateau_flow"]),
        "escape_mechanism.png": lambda: escape_mechanism(data["plateau_flow"]),
        "stall_survey.png": lambda: stall_survey(data["stall"]),
        # the first seed's curves: more seeds on one axis hide each other
        "sampled_linear.png": lambda: plateau_curves(data["sampled_linear"][0]),
        "sampled_tanh.png": lambda: plateau_curves(data["sampled_tanh"][0]),
        "lorenz.png": lambda: lorenz(data["lorenz"]),
    }
    for name, draw in drawers.items():
        save(draw(), Path(out_dir) / name)
    return list(drawers)
