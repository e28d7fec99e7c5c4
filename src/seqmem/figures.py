"""Figures of the experiments (matplotlib, Agg): plotting only, every number comes computed.

Each function takes the plain data an experiment returned and gives a
``matplotlib.figure.Figure``; :func:`save` writes it as PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from seqmem.experiments.approximation import ErrorCurve, JacksonRates, WidthNeeded


def save(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as a PNG at ``path`` (folders created) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


def _positive(values) -> np.ndarray:
    """Values for a log axis: None and non-positive (exact) entries become gaps."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.where(array > 0, array, np.nan)


def error_versus_width(curves: list[ErrorCurve]) -> Figure:
    """(a) L¹ error of best fits and balanced truncation against m, between σ_{m+1} and 2Σσ."""
    columns = min(4, len(curves))
    rows = -(-len(curves) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    for axis, curve in zip(axes.ravel(), curves, strict=False):
        m = curve.widths
        axis.fill_between(
            m,
            _positive(curve.hsv_floor),
            _positive(curve.balanced_ceiling),
            color="0.9",
            label=r"$[\sigma_{m+1},\ 2\sum_{k>m}\sigma_k]$",
        )
        axis.semilogy(m, _positive(curve.hsv_floor), "k--", lw=1, label=r"floor $\sigma_{m+1}$")
        axis.semilogy(m, _positive(curve.l1_error), "o-", label="best L² fit")
        axis.semilogy(m, _positive(curve.balanced_l1_error), "s:", label="balanced truncation")
        axis.set_title(curve.kernel, fontsize=8)
        axis.set_xlabel("width m")
        axis.set_ylabel(r"$\|\rho - \hat\rho\|_{L^1}$")
    for axis in axes.ravel()[len(curves) :]:
        axis.set_visible(False)
    axes[0, 0].legend(fontsize=7)
    figure.suptitle(r"Approximation error vs width; no width-m model goes below $\sigma_{m+1}$")
    figure.tight_layout()
    return figure


def slowest_rate(curves: list[ErrorCurve]) -> Figure:
    """(d) The inverse theorem: slowest decay rate of best fits against m."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for curve in curves:
        style = "o-" if curve.kernel.startswith("powerlaw") else "s--"
        axis.loglog(curve.widths, curve.slowest_rate, style, label=curve.kernel)
    axis.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    axis.set_xlabel("width m")
    axis.set_ylabel("slowest decay rate min Re w")
    axis.set_title(
        "Power-law fits push their slowest rate to 0; exponential ones do not", fontsize=9
    )
    axis.legend(fontsize=7)
    return figure


def jackson_rates(data: JacksonRates) -> Figure:
    """(b) Jackson approximant: L¹ error against m per smoothness α, with fitted exponents."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    for alpha, errors, exponent in zip(
        data.alphas, data.l1_error, data.measured_exponent, strict=True
    ):
        axis.loglog(data.widths, errors, "o-", label=f"α = {alpha}: slope −{exponent:.2f}")
    axis.set_xlabel("width m (rates β, 2β, …, mβ)")
    axis.set_ylabel(r"$\|\rho - \hat\rho\|_{L^1}$")
    axis.set_title(
        r"Jackson construction: error $\propto m^{-(\alpha + 3/2)}$ for $\rho \in C^\alpha$",
        fontsize=9,
    )
    axis.legend(fontsize=7)
    return figure


def width_needed(data: WidthNeeded) -> Figure:
    """(c) The curse of memory: width for relative L¹ error ε against the memory 1/ω."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    memory = 1.0 / np.asarray(data.omegas)
    axis.semilogy(memory, _positive(data.best_fit_width), "o-", label="best fit")
    axis.semilogy(memory, _positive(data.jackson_width), "s--", label="truncation + Jackson")
    axis.set_xlabel(r"memory $1/\omega$ of $\rho = (1 + t)^{-(1+\omega)}$")
    axis.set_ylabel(f"width needed for ε = {data.eps:g}")
    axis.set_title("The curse of memory in approximation", fontsize=9)
    axis.legend(fontsize=7)
    return figure
