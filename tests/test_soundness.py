"""No width-m model beats the Hankel floor: ‖ρ − ρ̂‖_{L¹} ≥ ‖G − Ĝ‖_{H∞} ≥ σ_{m+1}."""

import numpy as np
import pytest

from seqmem.approximation import balanced_truncation, best_fit, hankel_singular_values
from seqmem.kernels import from_spec

KERNELS = [
    "expcos(rate=1,freq=2)",
    "gammabump(k=1)",
    "exp(rate=1)+exp(rate=3)",
    "powerlaw(omega=0.5)",
    "powerlaw(omega=1)",
    "powerlaw(omega=2)",
    "airy(t0=3)",
    "gammabump(k=3)+exp(rate=0.5)",
]
WIDTHS = [1, 2, 3, 4, 6]


@pytest.mark.parametrize("spec", KERNELS)
def test_no_fit_beats_the_hankel_floor(spec):
    kernel = from_spec(spec)
    floor = hankel_singular_values(kernel, max(WIDTHS) + 1)
    previous = None
    for width in WIDTHS:
        fits = [best_fit(kernel, width, start=previous)]
        if width <= 2:  # the L¹ refinement is slow; two widths per kernel suffice here
            fits.append(best_fit(kernel, width, norm="l1"))
        for fit in fits:
            # exact fits: both sides at rounding level (1e-9 absolute)
            assert fit.l1_error >= floor[width] * (1 - 1e-6) - 1e-9, (
                width,
                fit.l1_error,
                floor[width],
            )
        previous = fit.model


@pytest.mark.parametrize("spec", ["powerlaw(omega=0.5)", "gammabump(k=3)+exp(rate=0.5)"])
def test_balanced_truncation_lies_between_floor_and_ceiling(spec):
    """σ_{m+1} ≤ ‖G − Ĝ‖_{H∞} ≤ 2Σ_{k>m}σ_k, with H∞ on a frequency grid (a lower estimate)."""
    kernel = from_spec(spec)
    sigma = hankel_singular_values(kernel, 40)
    frequencies = np.concatenate([[0.0], np.geomspace(1e-4, 1e3, 400)])
    for width in [2, 4]:
        model = balanced_truncation(kernel, width)
        approximant = model.to_kernel()
        gap = np.abs(
            kernel.laplace_transform(1j * frequencies)
            - approximant.laplace_transform(1j * frequencies)
        )
        h_infinity = np.max(gap)
        assert h_infinity >= sigma[width] * (1 - 1e-3)
        assert h_infinity <= 2 * np.sum(sigma[width:]) * 1.01  # 1 %: the matrix route's O(Δ) gap
        assert (kernel - approximant).l1_norm() >= h_infinity * (1 - 1e-6)
