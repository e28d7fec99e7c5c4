"""What every figure shares: writing a PNG, log-axis data, colours per memory and log ticks.

The Agg backend is selected by :mod:`seqmem.figures` before any figure module loads pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure


def save(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as a PNG at ``path`` (folders created) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


def positive(values) -> np.ndarray:
    """Values for a log axis: None and non-positive (exact) entries become gaps."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.where(array > 0, array, np.nan)


def memory_colours(memories: Sequence[float]) -> dict[float, tuple]:
    """t₀ → a viridis colour (its yellow end cut off: unreadable on white)."""
    values = sorted(set(memories))
    spread = np.linspace(0.0, 0.85, len(values)) if len(values) > 1 else [0.4]
    return {t0: plt.cm.viridis(x) for t0, x in zip(values, spread, strict=True)}


class PlainLogFormatter(matplotlib.ticker.LogFormatter):
    """A log-axis formatter that labels the ticks matplotlib would, as plain numbers."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


def plain_log_ticks(axis) -> None:
    """Label a log y axis with plain numbers (0.2, 300) instead of 2×10⁻¹, 3×10²."""
    axis.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
    axis.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))


def log_mask(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the points a log-log plot cannot show (x ≤ 0); y ≤ 0 become gaps."""
    keep = x > 0
    return x[keep], np.where(y[keep] > 0, y[keep], np.nan)
