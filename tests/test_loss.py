"""Population loss: closed form vs direct quadrature; gradients vs JAX autodiff and differences."""

import itertools

import numpy as np
import pytest
import scipy.integrate
from hypothesis import given
from hypothesis import strategies as st

from seqmem import LinearRNN
from seqmem._jax import jax, jnp
from seqmem.dynamics import model_population_loss, population_loss
from seqmem.errors import SeqmemValueError
from seqmem.kernels import from_spec

TARGETS = [
    "exp(rate=3)+gammabump(k=4)",
    "powerlaw(omega=0.5)",
    "airy(t0=3)",
    "bump(t0=2)+exp(rate=1)",
]


def direct_loss(
    kernel, model_kernel, cuts=(0, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 1e3, 1e4, 1e5, 1e6)
):
    """∫(ρ − ρ̂)² by adaptive quadrature on the values themselves (no expansion)."""
    total = 0.0
    for a, b in itertools.pairwise(cuts):
        total += scipy.integrate.quad(
            lambda t: float(kernel(t) - model_kernel(t)) ** 2,
            a,
            b,
            limit=400,
            epsabs=0,
            epsrel=1e-12,
        )[0]
    return total + scipy.integrate.quad(lambda t: float(kernel(t)) ** 2, cuts[-1], np.inf)[0]


@pytest.mark.parametrize("spec", TARGETS)
def test_closed_form_matches_direct_integration(spec):
    kernel = from_spec(spec)
    weights, rates = np.array([0.5, -0.2, 0.8]), np.array([0.3, 1.5, 4.0])
    model = LinearRNN.from_rates(rates, weights)
    loss = population_loss(kernel, weights, rates)
    reference = direct_loss(kernel, model.kernel)
    assert abs(loss.value - reference) <= 1e-8 * reference
    assert abs(model_population_loss(kernel, model) - reference) <= 1e-8 * reference


@given(
    weights=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    log_rates=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_gradient_matches_central_differences(weights, log_rates):
    kernel = from_spec("exp(rate=3)+gammabump(k=4)")
    weights, rates = np.array(weights), np.exp(log_rates)
    loss = population_loss(kernel, weights, rates)
    for i in range(3):
        for grad, vary in ((loss.grad_weights, "a"), (loss.grad_rates, "w")):
            h = 1e-6 * (1 + abs(weights[i] if vary == "a" else rates[i]))
            shift = np.zeros(3)
            shift[i] = h
            if vary == "a":
                plus = population_loss(kernel, weights + shift, rates).value
                minus = population_loss(kernel, weights - shift, rates).value
            else:
                plus = population_loss(kernel, weights, rates + shift).value
                minus = population_loss(kernel, weights, rates - shift).value
            difference = (plus - minus) / (2 * h)
            assert abs(grad[i] - difference) <= 1e-6 * (1 + abs(difference))


def jax_loss(weights, rates):
    """J for ρ = e^{−3t} + A t⁴e^{−t}, written independently in jax.numpy (ℒ by hand)."""
    amplitude = jnp.sqrt(2.0**9 / 40320.0)  # A = √(2^{2k+1}/Γ(2k+1)), k = 4
    laplace = 1.0 / (rates + 3.0) + amplitude * 24.0 / (1.0 + rates) ** 5
    norm = 1.0 / 6.0 + 2.0 * amplitude * 24.0 / 4.0**5 + 1.0
    gram = 1.0 / (rates[:, None] + rates[None, :])
    return weights @ gram @ weights - 2.0 * weights @ laplace + norm


def test_gradient_matches_jax_autodiff():
    kernel = from_spec("exp(rate=3)+gammabump(k=4)")
    weights, rates = np.array([0.1, 0.1, -0.3, 0.7]), np.array([2.5, 2.9, 3.2, 0.4])
    loss = population_loss(kernel, weights, rates)
    value, (grad_a, grad_w) = jax.value_and_grad(jax_loss, argnums=(0, 1))(
        jnp.asarray(weights), jnp.asarray(rates)
    )
    assert abs(loss.value - float(value)) < 1e-13
    np.testing.assert_allclose(loss.grad_weights, grad_a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(loss.grad_rates, grad_w, rtol=1e-12, atol=1e-14)


def test_dense_model_loss_matches_direct_integration():
    rng = np.random.default_rng(0)
    W = -np.diag([0.5, 1.0, 2.0]) + 0.3 * rng.normal(size=(3, 3))
    model = LinearRNN(W, rng.normal(size=3), rng.normal(size=3))
    kernel = from_spec("powerlaw(omega=1)")
    reference = direct_loss(kernel, model.kernel)
    assert abs(model_population_loss(kernel, model) - reference) <= 1e-8 * reference


def test_complex_diagonal_model_loss():
    model = LinearRNN(
        np.array([-0.5 + 2j, -1.0]), np.array([1.0, 1.0]), np.array([0.3 - 0.2j, 0.5])
    )
    kernel = from_spec("expcos(rate=0.5,freq=2)")
    reference = direct_loss(kernel, model.kernel)
    assert abs(model_population_loss(kernel, model) - reference) <= 1e-8 * max(reference, 1e-3)


@pytest.mark.parametrize(
    "weights, rates, fragment",
    [
        ([1.0], [0.0], "'rates' of population_loss must be > 0"),
        ([1.0, 2.0], [1.0], "1-d arrays of one nonzero length"),
        ([np.nan], [1.0], "only finite numbers"),
    ],
)
def test_bad_input(weights, rates, fragment):
    with pytest.raises(SeqmemValueError) as info:
        population_loss(from_spec("exp(rate=1)"), weights, rates)
    assert fragment in str(info.value)
