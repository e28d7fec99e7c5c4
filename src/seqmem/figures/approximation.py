"""Figures of the approximation experiments (ICLR 2021 §4): plotting only.

Each function takes the data of :mod:`seqmem.experiments.approximation` and returns a
``matplotlib.figure.Figure``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

from seqmem.experiments.approximation import ErrorCurve, JacksonRates, WidthNeeded
from seqmem.figures.plotting import positive
from seqmem.laws import line_fit


def error_versus_width(curves: list[ErrorCurve]) -> Figure:
    """(a) L¹ error of best fits and balanced truncation against m, between σ_{m+1} and 2Σσ."""
    columns = min(4, len(curves))
    rows = -(-len(curves) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    for axis, curve in zip(axes.ravel(), curves, strict=False):
        m = curve.widths
        axis.fill_between(
            m,
            positive(curve.hsv_floor),
            positive(curve.balanced_ceiling),
            color="0.9",
            label=r"$[\sigma_{m+1},\ 2\sum_{k>m}\sigma_k]$",
        )
        axis.semilogy(m, positive(curve.hsv_floor), "k--", lw=1, label=r"floor $\sigma_{m+1}$")
        axis.semilogy(m, positive(curve.l1_error), "o-", label="best L² fit")
        axis.semilogy(m, positive(curve.balanced_l1_error), "s:", label="balanced truncation")
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
    """(c) The curse of memory: width for relative L¹ error ε against the memory 1/ω, with
    the exponential law fitted to the Jackson widths (a straight line on these axes)."""
    figure, axis = plt.subplots(figsize=(5.5, 4))
    memory = 1.0 / np.asarray(data.omegas, dtype=float)
    jackson = positive(data.jackson_width)
    axis.semilogy(memory, jackson, "s", label="truncation + Jackson")
    known = np.isfinite(jackson)
    if np.count_nonzero(known) >= 2:
        fit = line_fit(memory[known], np.log(jackson[known]))
        line = np.exp(fit.intercept + fit.slope * memory)
        axis.semilogy(memory, line, "--", color="C0", lw=1,
                      label=rf"$e^{{{fit.slope:.2f}/\omega}}$ (exponential law)")  # fmt: skip
    axis.semilogy(memory, positive(data.best_fit_fractional_width), "o-", label="best fit")
    hankel = r"Hankel bound: $\sigma_{m+1} \leq \varepsilon\,\|\rho\|_{L^1}$"
    axis.semilogy(memory, positive(data.hankel_width), "v:", label=hankel)
    axis.set_xlabel(r"memory $1/\omega$ of $\rho = (1 + t)^{-(1+\omega)}$")
    axis.set_ylabel(f"width needed for ε = {data.eps:g}")
    axis.set_title("The curse of memory in approximation", fontsize=9)
    axis.legend(fontsize=7)
    return figure
