"""A quadrature grid on [0, ∞) on which kernel fits are computed.

Integrals ∫_0^∞ f(t) dt of kernels, exponential modes and their products are replaced by
Σ_k q_k f(t_k): an 8-point Gauss–Legendre rule on each cell of a mesh built from every
time scale of the kernel (:func:`seqmem.kernels.scales.term_time_scales`, one per term of a
sum and per exponential mode):

- geometric, ratio 1.15, from 10⁻⁶ of the shortest feature to 10⁶ times the end of the
  longest: this resolves e^{−wt} for every rate w in between (on a cell [a, 1.15a] the
  rule's error is ~(0.15wa)¹⁶/16!·e^{−wa}, below 1e-15 of ∫e^{−wt} for every w), and the
  algebraic tails of power laws (what lies beyond, ∫_T^∞ ρ² ≤ 1e-12‖ρ‖² for every power
  law with ω ≥ 0.1, is dropped);
- uniform, one cell per shortest feature, over the features of every term that is not
  scale-free (bumps, Airy, delays, oscillating modes), however long they last, up to
  ``MAX_UNIFORM_CELLS`` per term (beyond: an error that names the term);
- cut at every breakpoint of the kernel, and graded geometrically away from it (90 cells
  from 10⁻⁶ of the shortest feature to the shortest feature), since ρ(t)e^{−wt} starts
  afresh there for fast rates w.

So the grid follows the rates present, from 1/(fastest rate) to the tail, not a fixed count
of cells. ``tests/test_fit.py`` measures its error on ‖ρ‖²_{L²} and ℒρ(w) against the
closed forms: below 1e-9 relative for the built-in families, and for sums whose rates span
six decades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmem.errors import SeqmemValueError
from seqmem.kernels import Kernel
from seqmem.kernels.scales import term_time_scales

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_RATIO = 1.15
MAX_UNIFORM_CELLS = 50_000


@dataclass(frozen=True, eq=False)
class QuadratureGrid:
    """Nodes t (shape (n,)) and weights q (shape (n,)) with Σ q f(t) ≈ ∫_0^∞ f."""

    nodes: np.ndarray
    weights: np.ndarray

    def integrate(self, values: np.ndarray) -> np.ndarray:
        """Σ_k q_k values[..., k]."""
        return values @ self.weights


def quadrature_grid(kernel: Kernel) -> QuadratureGrid:
    """The grid resolving every time scale of ``kernel`` (module docstring).

    Raises:
        SeqmemValueError: when a term's features need more than ``MAX_UNIFORM_CELLS``
            uniform cells (e.g. an oscillation of 10⁵ periods before it decays).
    """
    scales = term_time_scales(kernel)
    shortest = min(scale.short for scale in scales)
    longest = max(scale.offset + scale.end for scale in scales)
    cells = int(np.ceil(np.log(1e12 * longest / shortest) / np.log(_RATIO)))
    parts = [[0.0], np.geomspace(1e-6 * shortest, 1e6 * longest, cells)]
    for scale in scales:
        if scale.scale_free:
            continue
        count = int(np.ceil(scale.end / scale.short))
        if count > MAX_UNIFORM_CELLS:
            raise SeqmemValueError(
                f"the quadrature grid of {kernel.spec} would need {count} cells for a term with "
                f"features of {scale.short:.3g} lasting {scale.end:.3g} (at most "
                f"{MAX_UNIFORM_CELLS}): its time scales are too far apart to fit on one grid"
            )
        parts.append(scale.offset + np.linspace(0.0, scale.end, max(count, 2) + 1))
    # graded away from every breakpoint as from 0: ρ(t)e^{−wt} restarts there for fast w
    for breakpoint in kernel.breakpoints():
        if breakpoint > 0:
            parts.append(breakpoint + np.geomspace(1e-6 * shortest, shortest, 90))
            parts.append([breakpoint])
    edges = np.unique(np.concatenate(parts))
    lo, hi = edges[:-1], edges[1:]
    middle, half = (lo + hi) / 2, (hi - lo) / 2
    nodes = (middle[:, None] + half[:, None] * _NODES).ravel()
    weights = (half[:, None] * _WEIGHTS).ravel()
    return QuadratureGrid(nodes=nodes, weights=weights)
