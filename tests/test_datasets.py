"""Linear-functional data sets (seqmem.datasets) in other codes' conventions, and the model
structures of seqmem.dynamics.trainable against LinearRNN's own routes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqmem._jax import jnp
from seqmem.datasets import TOEPLITZ_MAX_LENGTH, linear_functional_data
from seqmem.dynamics.trainable import trainable
from seqmem.errors import SeqmemValueError
from seqmem.functional import grid_kernel, target_outputs
from seqmem.kernels import Custom, from_spec
from seqmem.rnn import LinearRNN
from seqmem.signals import white_noise

#: the two kernels of the follow-up code's linear-functional task
PEER_KERNELS = {
    "exp": (from_spec("exp(rate=1)"), lambda t: np.exp(-t)),
    "pol": (from_spec("powerlaw(omega=0.1,tau=10)"), lambda t: 1.0 / (1.0 + 0.1 * t) ** 1.1),
}


def _peer_targets(rho, inputs, dt):
    """The follow-up code's rule, written from its formula: inputs Δ·ξ, y_t = Σ_{s≤t}
    x_{t−s} ρ(sΔ), summed term by term in a loop over t and s."""
    outputs = np.zeros_like(inputs)
    for t in range(inputs.shape[1]):
        for s in range(t + 1):
            outputs[:, t] += inputs[:, t - s] * rho(s * dt)
    return outputs


@pytest.mark.parametrize("name", list(PEER_KERNELS))
def test_left_rule_with_dt_scaling_is_the_follow_up_task_at_unit_step(name):
    kernel, rho = PEER_KERNELS[name]
    x, y = linear_functional_data(kernel, 8, 100, 1.0, rule="left", input_scaling="dt", seed=3)
    xi = np.random.default_rng(3).standard_normal((8, 100))
    np.testing.assert_array_equal(x, 1.0 * xi)  # the same draws, scaled by Δ = 1
    expected = _peer_targets(rho, x, 1.0)
    # two summation orders of ≤ 100 terms (a matrix product vs a loop): float64 rounding
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-14 * scale)


def test_at_another_step_the_follow_up_targets_omit_the_cell_width():
    kernel, rho = PEER_KERNELS["pol"]
    x, y = linear_functional_data(kernel, 4, 60, 0.5, rule="left", input_scaling="dt", seed=1)
    expected = _peer_targets(rho, x, 0.5)
    np.testing.assert_allclose(y, 0.5 * expected, rtol=0, atol=1e-14 * np.max(np.abs(y)))


@pytest.mark.parametrize(
    ("scaling", "factor"), [("intensity", lambda dt: 1 / math.sqrt(dt)), ("dt", lambda dt: dt),
                            ("unit", lambda dt: 1.0)]
)  # fmt: skip
def test_input_scalings(scaling, factor):
    dt = 0.01
    x = white_noise(50, dt, seed=2, batch=(3,), scaling=scaling)
    xi = np.random.default_rng(2).standard_normal((3, 50))
    np.testing.assert_allclose(x, factor(dt) * xi, rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(
    log_rate=st.floats(-3, 3),
    log_dt=st.floats(-3, 1),
    length=st.integers(1, 2 * TOEPLITZ_MAX_LENGTH),
)
def test_default_cell_rule_data_are_target_outputs(log_rate, log_dt, length):
    # the Toeplitz product (L ≤ 256) and the FFT route (L > 256) against target_outputs
    kernel = from_spec(f"exp(rate={10**log_rate!r})")
    dt = 10**log_dt
    x, y = linear_functional_data(kernel, 3, length, dt, seed=0)
    expected = target_outputs(kernel, x, dt)
    # both are sums of L products of size ≤ Σ|K_j||x|: float64 rounding times L
    bound = 8 * length * np.finfo(float).eps * np.sum(np.abs(grid_kernel(kernel, dt, length)))
    np.testing.assert_allclose(y, expected, rtol=0, atol=bound * np.max(np.abs(x)))


def test_left_rule_weights_and_its_error():
    kernel = from_spec("exp(rate=2)")
    np.testing.assert_allclose(
        grid_kernel(kernel, 0.1, 5, rule="left"), 0.1 * np.exp(-0.2 * np.arange(5)), rtol=1e-15
    )

    def singular(t):
        with np.errstate(divide="ignore"):
            return np.exp(-t) / np.sqrt(np.abs(t - 1.0))

    rho = Custom(singular, name="singular", time_scale=0.3, horizon=5.0)
    with pytest.raises(SeqmemValueError, match="left-point rule needs ρ finite"):
        grid_kernel(rho, 0.5, 4, rule="left")
    with pytest.raises(SeqmemValueError, match="'rule' of grid_kernel"):
        grid_kernel(kernel, 0.5, 4, rule="midpoint")
    with pytest.raises(SeqmemValueError, match="'input_scaling' of linear_functional_data"):
        linear_functional_data(kernel, 2, 4, 0.5, input_scaling="sqrt")
    with pytest.raises(SeqmemValueError, match="'scaling' of white_noise"):
        white_noise(4, 0.5, seed=0, scaling="sqrt")


@settings(max_examples=25, deadline=None)
@given(
    log_rates=st.lists(st.floats(-3, 2), min_size=1, max_size=4),
    frequency=st.floats(0, 20),
    log_dt=st.floats(-2, 0.5),
)
def test_trainable_grid_kernels_are_the_rnn_grid_kernels(log_rates, frequency, log_dt):
    # diagonal real, complex and dense structures against LinearRNN.grid_kernel (complex
    # modes by the modal table, dense by the block exponential and a scan)
    rates = 10.0 ** np.asarray(log_rates)
    m, dt, length = rates.size, 10.0**log_dt, 64
    rng = np.random.default_rng(m)
    weights = rng.normal(size=m)
    models = [
        LinearRNN.from_rates(rates, weights),
        LinearRNN(-(rates + 1j * frequency), np.ones(m), weights + 1j * rng.normal(size=m)),
        LinearRNN(-np.diag(rates) + np.triu(rng.normal(size=(m, m)), 1), np.ones(m), weights),
    ]
    for model in models:
        structure, theta = trainable(model, "softplus")
        ours = np.asarray(structure.grid_kernel(theta, dt, length))
        reference = model.grid_kernel(dt, length)
        # K_j = cᵀA^jB sums m modes of size ≤ |g|·Δ (or a dense product): rounding of the
        # j-th power grows like j·ε, so up to length·ε of the largest weight, with a
        # factor 100 of slack for expm's conditioning and the m-term sums
        scale = np.sum(np.abs(model.c)) * dt * max(1.0, np.max(np.abs(model.U)))
        scale = max(scale, np.max(np.abs(reference)))
        tolerance = 100 * length * np.finfo(float).eps * scale
        np.testing.assert_allclose(ours, reference, rtol=0, atol=tolerance)
        rebuilt = structure.model(theta)
        np.testing.assert_allclose(rebuilt.grid_kernel(dt, length), reference, rtol=0,
                                   atol=tolerance)  # fmt: skip


def test_outputs_of_the_trainable_tanh_model_are_the_models_own():
    from seqmem.tanh_rnn import TanhRNN

    model = TanhRNN([0.5, 2.0], [1.0, -0.5], [1.0, 2.0], [[0.0, 0.1], [-0.1, 0.0]])
    structure, theta = trainable(model, "exp")
    x = np.random.default_rng(0).standard_normal((3, 40))
    np.testing.assert_allclose(
        np.asarray(structure.outputs(theta, jnp.asarray(x), 0.1)), model.outputs(x, 0.1),
        rtol=1e-14, atol=1e-15,
    )  # fmt: skip
