"""Trainers on the population loss: JAX transforms, the loss, optax loops, parameterisations."""

import numpy as np
import optax
import pytest
import scipy.integrate
from hypothesis import given
from hypothesis import strategies as st

from seqmem import SeqmemValueError
from seqmem._jax import jax, jnp
from seqmem.dynamics import gradient_flow, population_loss
from seqmem.dynamics.laplace import jax_laplace_transform
from seqmem.dynamics.loss import population_loss_function
from seqmem.dynamics.train import initial_parameters, train
from seqmem.kernels import from_spec
from seqmem.reparam import PARAMETERISATIONS, parameterisation
from seqmem.rnn import LinearRNN

TRANSFORM_KERNELS = [
    "exp(rate=3)+gammabump(k=4)",
    "shift(gammabump(k=3),by=2)+0.5*exp(rate=1)",
    "expcos(rate=0.5,freq=2)",
    "exp(rate=3)+bump(t0=5)",
    "airy(t0=4)",
    "powerlaw(omega=0.5)",
    "delay(t0=3,width=2)",
]


@pytest.mark.parametrize("spec", TRANSFORM_KERNELS)
def test_jax_laplace_transform_matches_the_kernel(spec):
    # closed forms (exp, gamma bump, shift/sum/scale) and the quadrature fallback (the rest)
    kernel = from_spec(spec)
    transform = jax_laplace_transform(kernel)
    s = np.array([1e-2, 0.1, 1.0, 3.0, 10.0, 100.0])
    for points, tolerance in ((s, 1e-9), (s * (1 + 0.7j), 1e-8)):
        expected = kernel.laplace_transform(points)
        got = np.asarray(transform(jnp.asarray(points)))
        assert np.max(np.abs(got - expected) / np.abs(expected)) < tolerance


REFERENCE = from_spec("exp(rate=3)+gammabump(k=4)")


def test_jax_population_loss_and_gradient_match_the_closed_form():
    weights, rates = np.array([0.3, -0.2, 0.5]), np.array([0.4, 1.5, 3.0])
    loss = population_loss_function(REFERENCE)
    value, (grad_a, grad_w) = jax.value_and_grad(loss, argnums=(0, 1))(
        jnp.asarray(weights), jnp.asarray(rates)
    )
    exact = population_loss(REFERENCE, weights, rates)
    assert float(value) == pytest.approx(exact.value, rel=1e-13)
    np.testing.assert_allclose(grad_a, exact.grad_weights, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(grad_w, exact.grad_rates, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("spec", ["exp(rate=1)+bump(t0=3)", "airy(t0=2)"])
def test_oscillating_population_loss_matches_quadrature(spec):
    # ρ̂(t) = Σ e^{−w t}(a cos νt + b sin νt), J = ∫(ρ − ρ̂)² by adaptive quadrature
    kernel = from_spec(spec)
    a, b = np.array([0.4, -0.3]), np.array([0.2, 0.5])
    w, nu = np.array([0.7, 1.3]), np.array([0.5, 2.0])

    def squared_error(t):
        model = np.sum(np.exp(-w * t) * (a * np.cos(nu * t) + b * np.sin(nu * t)))
        return (kernel(t) - model) ** 2

    expected = sum(
        scipy.integrate.quad(squared_error, lo, hi, limit=400, epsabs=1e-14, epsrel=1e-12)[0]
        for lo, hi in ((0, 5), (5, 20), (20, 200))
    )
    got = population_loss_function(kernel)(a, w, b, nu)
    assert float(got) == pytest.approx(expected, rel=1e-8)


def test_gradient_descent_is_the_plain_update_rule():
    # optax's sgd inside the jitted scan == a NumPy loop of a ← a − η∂J/∂a, v ← v − η w ∂J/∂w
    steps, lr = 50, 0.05
    run = train(REFERENCE, 3, optimizer="gd", learning_rate=lr, steps=steps, record_every=1)
    a, w = initial_parameters(3)
    for _ in range(steps - 1):
        loss = population_loss(REFERENCE, a, w)
        a, w = a - lr * loss.grad_weights, w * np.exp(-lr * loss.grad_rates * w)
    np.testing.assert_allclose(run.weights[-1], a, rtol=1e-11)
    np.testing.assert_allclose(run.rates[-1], w, rtol=1e-11)
    assert run.loss[-1] == pytest.approx(population_loss(REFERENCE, a, w).value, rel=1e-11)


def test_gd_iterations_times_step_equal_flow_time():
    # docs/mathematics.md §4.2: plain GD with a fixed step reproduces flow time × step
    a, w = initial_parameters(4)
    flow = gradient_flow(REFERENCE, a, w, final_time=200.0)

    def escape_time(times, losses):
        level = np.median(losses[(times >= 1) & (times <= 20)])
        return times[np.argmax((times > 1) & (losses < 0.8 * level))]

    flow_escape = escape_time(flow.times, flow.loss)
    lr = 0.02
    run = train(REFERENCE, 4, optimizer="gd", learning_rate=lr, steps=int(100 / lr), record_every=1)
    assert 30 < flow_escape < 100
    assert escape_time(run.steps * lr, run.loss) == pytest.approx(flow_escape, rel=0.01)


@pytest.mark.parametrize("name", sorted(PARAMETERISATIONS))
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_every_optimiser_and_parameterisation_fits_an_exponential(name, optimizer):
    target = from_spec("2*exp(rate=1.5)")
    run = train(
        target, 1, optimizer=optimizer, rate_parameterisation=name, steps=3000, init_rates=(1, 1)
    )
    assert run.final_loss < 1e-4 * run.loss[0]
    assert np.all(run.rates > 0)


@given(st.sampled_from(sorted(PARAMETERISATIONS)), st.floats(1e-4, 1e3))
def test_parameterisations_invert(name, rate):
    p = parameterisation(name)
    assert float(p.to_rate(p.from_rate(rate))) == pytest.approx(rate, rel=1e-12)


def test_same_seed_same_numbers():
    first = train(REFERENCE, 4, optimizer="adam", steps=500, seed=3)
    second = train(REFERENCE, 4, optimizer="adam", steps=500, seed=3)
    other = train(REFERENCE, 4, optimizer="adam", steps=500, seed=4)
    np.testing.assert_array_equal(first.loss, second.loss)
    assert not np.array_equal(first.rates[0], other.rates[0])


def test_divergence_is_reported_with_its_step():
    with pytest.raises(SeqmemValueError, match=r"diverged .* at step \d+"):
        train(REFERENCE, 4, optimizer="gd", learning_rate=1e3, steps=1000)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"optimizer": "sgd"}, "optimizer"),
        ({"loss": "mse"}, "loss"),
        ({"model": "tanh"}, "tanh"),
        ({"steps": 0}, "steps"),
        ({"rate_parameterisation": "sigmoid"}, "parameterisation"),
        ({"init_rates": (3.0, -1.0)}, "init_rates"),
        ({"oscillating": True, "model": "tanh", "loss": "sampled"}, "oscillating"),
        ({"optimizer": "adam", "schedule": "linear"}, "schedule"),
        ({"optimizer": optax.adam(0.01), "learning_rate": 0.01}, "carries its own"),
        ({"loss": "population", "width": LinearRNN(-np.eye(2), np.ones(2), np.ones(2))}, "dense"),
    ],
)
def test_bad_training_options(options, match):
    width = options.pop("width", 4)
    with pytest.raises(SeqmemValueError, match=match):
        train(REFERENCE, width, **options)


def test_non_positive_width():
    with pytest.raises(SeqmemValueError, match="width"):
        train(REFERENCE, 0)


class _Compilations:
    """Counts XLA compilations through JAX's public monitoring hook (registered once)."""

    count = 0

    @classmethod
    def listen(cls, event: str, duration: float, **_: object) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            cls.count += 1


jax.monitoring.register_event_duration_secs_listener(_Compilations.listen)


@pytest.mark.parametrize("optimizer", ["flow", "gd", "adam"])
def test_a_second_target_of_the_same_structure_compiles_nothing(optimizer):
    # the target's numbers are traced arguments of the loop, not constants baked into it:
    # a sweep over the memory t₀ compiles once (each compile costs 0.1-0.3 s, each run 0.01 s)
    steps = 50.0 if optimizer == "flow" else 300

    def run(t0):
        return train(
            from_spec(f"exp(rate=3)+gammabump(k={t0})"), 3, optimizer=optimizer, steps=steps, seed=7
        )

    first = run(2.5)
    before = _Compilations.count
    second = run(3.5)
    assert _Compilations.count == before
    # and the traced target is the new one: the loss starts at J(θ₀) of the second target
    expected = population_loss(
        from_spec("exp(rate=3)+gammabump(k=3.5)"), *initial_parameters(3, seed=7)
    ).value
    assert second.loss[0] == pytest.approx(expected, rel=1e-12)
    assert first.loss[0] != pytest.approx(expected, rel=1e-3)


def test_a_cosine_schedule_lets_adam_settle():
    # constant-rate Adam at η = 0.01 keeps oscillating on this fit (its loss after 50 000
    # steps was 2.3e-4 here, after 2 500 steps 3.0e-7); decaying the rate to 0 settles it
    target = from_spec("exp(rate=1)")
    cosine = train(target, 16, optimizer="adam", steps=50_000, schedule="cosine")
    assert cosine.final_loss < 1e-7
    explicit = optax.adam(optax.cosine_decay_schedule(0.01, 50_000))
    same = train(target, 16, optimizer=explicit, learning_rate=None, steps=50_000)
    assert same.final_loss == pytest.approx(cosine.final_loss, rel=1e-9)
    assert isinstance(cosine.model, LinearRNN) and cosine.model.width == 16


@pytest.mark.parametrize("start", ["diagonal", "complex"])
def test_train_continues_from_a_model_object(start):
    # a model object is the exact starting point: zero steps of any optimiser leave the
    # population loss of that model, computed independently by population_loss
    target = from_spec("exp(rate=1)+gammabump(k=3)")
    if start == "diagonal":
        model = LinearRNN.from_rates([0.5, 2.0], [0.3, 0.4])
    else:
        model = LinearRNN(np.array([-0.5 + 1j, -2.0]), np.ones(2), np.array([0.3 - 0.1j, 0.4]))
    run = train(target, model, optimizer="gd", learning_rate=1e-300, steps=2, record_every=1)
    expected = (target - model.to_kernel()).l2_norm_squared()
    assert run.loss[0] == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(run.model.kernel(np.linspace(0, 5, 11)),
                               model.kernel(np.linspace(0, 5, 11)), rtol=1e-14)  # fmt: skip


def test_sampled_training_of_complex_and_dense_models():
    target = from_spec("exp(rate=2)")
    dense = LinearRNN(np.array([[-1.0, 0.5], [0.0, -3.0]]), np.ones(2), np.array([0.1, 0.1]))
    run = train(target, dense, loss="sampled", optimizer="adam", steps=400, length=64)
    assert run.weights is None and run.population_loss is None
    assert run.final_loss < 0.5 * run.loss[0]
    assert not run.model.is_diagonal
    complex_run = train(target, 2, oscillating=True, loss="sampled", optimizer="adam",
                        steps=400, length=64)  # fmt: skip
    assert complex_run.population_loss[-1] < 0.2 * complex_run.population_loss[0]
