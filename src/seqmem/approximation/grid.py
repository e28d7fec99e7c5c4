"""A quadrature grid on [0, ∞) on which kernel fits and their errors are computed.

Integrals ∫_0^∞ f(t) dt of kernels, exponential modes and their products are replaced by
Σ_k q_k f(t_k): an 8-point Gauss–Legendre rule on each cell of a mesh that is

- geometric from 1e-6·(shortest feature) to the shortest feature, so that modes as fast
  as e^{−10⁵ t/short} are resolved near t = 0;
- uniform with about four cells per shortest feature (at most 600) up to the end of the
  features;
- geometric (ratio ≈ 1.15) from there to 10⁶ times the end of the features, which
  carries the algebraic tails of power laws (what lies beyond, ∫_{T}^∞ ρ² ≤ 1e-12‖ρ‖²
  for every power law with ω ≥ 0.1, is dropped);
- cut at every breakpoint of the kernel.

``tests/test_fit.py`` measures the grid's error on ‖ρ‖²_{L²}, ‖ρ‖_{L¹} and ℒρ(w) against
the closed forms: below 1e-9 relative for the built-in families.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmem.kernels import Kernel

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)


@dataclass(frozen=True, eq=False)
class QuadratureGrid:
    """Nodes t (shape (n,)) and weights q (shape (n,)) with Σ q f(t) ≈ ∫_0^∞ f."""

    nodes: np.ndarray
    weights: np.ndarray

    def integrate(self, values: np.ndarray) -> np.ndarray:
        """Σ_k q_k values[..., k]."""
        return values @ self.weights


def quadrature_grid(kernel: Kernel) -> QuadratureGrid:
    """The grid resolving ``kernel`` (see the module docstring for its construction)."""
    short, long = kernel.time_scales()
    cells = max(50, min(600, int(4 * long / short)))
    edges = np.unique(
        np.concatenate(
            [
                [0.0],
                np.geomspace(1e-6 * short, short, 90),
                np.linspace(short, max(long, 2 * short), cells),
                np.geomspace(max(long, 2 * short), 1e6 * max(long, 2 * short), 100),
                [b for b in kernel.breakpoints() if b > 0],
            ]
        )
    )
    lo, hi = edges[:-1], edges[1:]
    middle, half = (lo + hi) / 2, (hi - lo) / 2
    nodes = (middle[:, None] + half[:, None] * _NODES).ravel()
    weights = (half[:, None] * _WEIGHTS).ravel()
    return QuadratureGrid(nodes=nodes, weights=weights)
