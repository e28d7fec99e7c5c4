"""Gradient flow on the population loss (LSODA): descent, exact fits, the plateau signature."""

import numpy as np

from seqmem.dynamics import model_population_loss
from seqmem.dynamics.flow import gradient_flow
from seqmem.kernels import from_spec
from seqmem.rnn import LinearRNN


def test_flow_descends_and_recovers_a_representable_target():
    kernel = from_spec("exp(rate=1)+0.5*exp(rate=3)")
    trajectory = gradient_flow(kernel, [0.1, 0.1], [0.5, 2.0], final_time=1e4)
    assert np.all(np.diff(trajectory.loss) <= 1e-12)  # J never increases along −∇J
    assert trajectory.loss[-1] < 1e-8
    np.testing.assert_allclose(np.sort(trajectory.rates[-1]), [1.0, 3.0], rtol=1e-3)
    model = LinearRNN.from_rates(trajectory.rates[-1], trajectory.weights[-1])
    assert abs(model_population_loss(kernel, model) - trajectory.loss[-1]) < 1e-12


def test_reference_target_plateaus_at_the_memory_energy():
    """exp(rate=3) + gammabump(k=4): the fast part is fitted, then J sits near ‖ρ₀‖² = 1."""
    kernel = from_spec("exp(rate=3)+gammabump(k=4)")
    trajectory = gradient_flow(kernel, np.full(4, 0.1), [2.6, 2.9, 3.1, 3.4], final_time=1e4)
    tau, loss = trajectory.times, trajectory.loss
    plateau = loss[(tau >= 1) & (tau <= 5)]
    assert np.all(np.abs(plateau - 1.0) < 0.02)
    escape = tau[np.flatnonzero(loss < 0.8)[0]]
    assert 10 < escape < 1e3
    assert loss[-1] < 0.05 and trajectory.rates[-1].min() < 1.0  # one rate moved to O(1/T)
