"""Sampled white-noise losses (seqmem.dynamics.sampled) against independent routes."""

import math

import numpy as np
import pytest
import scipy.signal

from seqmem import tanh_rnn
from seqmem._jax import jax, jnp
from seqmem.dynamics import population_loss
from seqmem.dynamics.sampled import (
    MAX_MEMORY_LENGTH,
    SampledTask,
    default_horizon,
    diagonal_grid_kernel,
    expected_linear_sampled_loss,
    linear_sampled_loss,
    sampled_task,
    tanh_sampled_loss,
    white_noise_batch,
)
from seqmem.errors import SeqmemValueError
from seqmem.functional import grid_kernel
from seqmem.kernels import DelayBox, Exponential, ExpSum, from_spec
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import _recurrent_outputs, tanh_outputs

KERNEL = from_spec("exp(rate=3)+gammabump(k=2)")
# a slow mode (w = 0.05) whose memory reaches far beyond the short horizons used below
WEIGHTS = np.array([1.2, -0.4, 0.6])
RATES = np.array([2.5, 0.9, 0.05])


def _fixed_input(task: SampledTask, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((task.batch, task.sequence_length)) / math.sqrt(task.dt)


@pytest.fixture(scope="module")
def short_task() -> SampledTask:
    return sampled_task(KERNEL, dt=0.1, batch=3, length=40, horizon=3.0)


# --- the task ------------------------------------------------------------------------------
@pytest.mark.parametrize(("rate", "dt"), [(1.0, 0.1), (3.0, 0.05), (0.2, 0.5)])
def test_default_horizon_of_an_exponential_matches_its_closed_form(rate, dt):
    # ∫_h^∞ e^{−2rt} / ∫_0^∞ e^{−2rt} = e^{−2rh} ≤ 1e-8  ⇔  h ≥ ln(1e8)/(2r)
    expected = math.ceil(math.log(1e8) / (2 * rate) / dt) * dt
    assert default_horizon(Exponential(rate=rate), dt) == pytest.approx(expected, rel=1e-12)


def test_default_horizon_ends_a_compact_kernel_at_its_support():
    task = sampled_task(DelayBox(t0=3.0, width=2.0), dt=0.1)
    assert task.memory_length == 50  # ρ = 0 beyond t = 5
    np.testing.assert_allclose(task.target_weights, grid_kernel(DelayBox(3.0, 2.0), 0.1, 50))


def test_task_shapes_and_weights():
    task = sampled_task(KERNEL, dt=0.25, batch=5, length=7, horizon=2.0)
    assert (task.memory_length, task.sequence_length) == (8, 14)
    assert (task.batch, task.length, task.dt) == (5, 7, 0.25)
    np.testing.assert_array_equal(task.target_weights, grid_kernel(KERNEL, 0.25, 8))


def test_white_noise_batch_has_intensity_one():
    task = sampled_task(KERNEL, dt=0.05, batch=64, length=2000, horizon=1.0)
    x = np.asarray(white_noise_batch(jax.random.key(1), task))
    assert x.shape == (64, 2019) and x.dtype == np.float64
    # Var x = 1/Δ = 20; the sample variance of n normals has relative s.e. √(2/n) ≈ 0.0035
    assert np.var(x) * task.dt == pytest.approx(1.0, abs=4 * math.sqrt(2 / x.size))
    assert not np.allclose(x, white_noise_batch(jax.random.key(2), task))


# --- the linear loss against independent routes ---------------------------------------------
def test_model_grid_kernel_equals_the_exact_cell_integrals():
    dt, length = 0.1, 500
    exact = grid_kernel(ExpSum(WEIGHTS, RATES), dt, length)
    ours = np.asarray(diagonal_grid_kernel(jnp.asarray(WEIGHTS), jnp.asarray(RATES), dt, length))
    # both are closed forms of the same integrals; rounding only
    np.testing.assert_allclose(ours, exact, rtol=0, atol=1e-13 * np.max(np.abs(exact)))


def test_linear_loss_equals_lfilter_target_and_recurrence_model(short_task):
    x = _fixed_input(short_task, seed=0)
    target = scipy.signal.lfilter(short_task.target_weights, [1.0], x, axis=-1)
    model = LinearRNN.from_rates(RATES, WEIGHTS).outputs(x, short_task.dt, method="recurrence")
    start = short_task.memory_length - 1
    expected = np.mean((target - model)[:, start:] ** 2)
    loss = linear_sampled_loss(short_task, jnp.asarray(WEIGHTS), jnp.asarray(RATES), x)
    # FFT vs recurrence: rounding of a sum of ~N terms, relative
    assert float(loss) == pytest.approx(expected, rel=1e-10)


def test_tanh_recurrence_without_tanh_is_the_linear_zoh_recurrence(short_task):
    x = _fixed_input(short_task, seed=1)
    m = WEIGHTS.size
    ours = _recurrent_outputs(
        lambda z: z, WEIGHTS, RATES, np.ones(m), np.zeros((m, m)), jnp.asarray(x), short_task.dt
    )
    reference = LinearRNN.from_rates(RATES, WEIGHTS).outputs(x, short_task.dt, method="fft")
    # two exact routes (recurrence vs FFT convolution); rounding only
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-12 * np.max(np.abs(reference)))


def _tanh_loss_and_gradient(x, limit, monkeypatch, width=3):
    """mean ŷ² of a tanh RNN and its gradient in (a, w), with the stored-states limit set."""
    monkeypatch.setattr(tanh_rnn, "STORED_STATES_LIMIT", limit)
    rng = np.random.default_rng(5)
    coupling = jnp.asarray(0.1 * rng.normal(size=(width, width)))
    weights, rates = rng.normal(size=width), np.geomspace(0.05, 2.5, width)

    def loss(weights, rates):
        return jnp.mean(tanh_outputs(weights, rates, jnp.ones(width), coupling, x, 0.1) ** 2)

    return jax.value_and_grad(loss, argnums=(0, 1)), (jnp.asarray(weights), jnp.asarray(rates))


def test_checkpointed_tanh_scan_has_the_same_loss_and_gradient(monkeypatch):
    # blocks of ⌈√N⌉ = 23 steps (N = 500, the last block padded) recomputed in the backward
    # pass: the same arithmetic in the same order, so equal to rounding
    x = jnp.asarray(np.random.default_rng(6).normal(size=(3, 500)))
    stored, start = _tanh_loss_and_gradient(x, 2**62, monkeypatch)
    expected_value, expected_grads = stored(*start)
    recomputed, _ = _tanh_loss_and_gradient(x, 0, monkeypatch)
    value, grads = recomputed(*start)
    assert float(value) == pytest.approx(float(expected_value), rel=1e-13)
    for got, expected in zip(grads, expected_grads, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-11, atol=0)


def test_long_tanh_sequences_store_no_batch_length_width_array(monkeypatch, largest_intermediate):
    batch, steps, m = 8, 20_000, 32
    x = jnp.zeros((batch, steps))
    for limit, expect_full in ((2**62, True), (0, False)):
        value_and_grad, start = _tanh_loss_and_gradient(x, limit, monkeypatch, width=m)
        largest = largest_intermediate(jax.make_jaxpr(value_and_grad)(*start))
        # the plain scan keeps all B·N·m states for its backward pass; the blocked one √N
        assert (largest >= batch * steps * m) == expect_full
        if not expect_full:
            assert largest < batch * steps * m / 8


def test_monte_carlo_mean_is_the_expected_loss_which_tends_to_the_population_loss():
    weights, rates = jnp.array([1.0, 0.5]), jnp.array([2.0, 0.7])
    task = sampled_task(KERNEL, dt=0.1, batch=32, length=32)

    def draw(key):
        return linear_sampled_loss(task, weights, rates, white_noise_batch(key, task))

    losses = np.asarray(jax.jit(jax.vmap(draw))(jax.random.split(jax.random.key(3), 200)))
    expected = float(expected_linear_sampled_loss(task, weights, rates))
    # 200 i.i.d. batch losses: the mean is within 4 standard errors with prob. ≈ 0.99994
    standard_error = np.std(losses, ddof=1) / math.sqrt(losses.size)
    assert abs(np.mean(losses) - expected) < 4 * standard_error

    exact = population_loss(KERNEL, np.asarray(weights), np.asarray(rates)).value
    gaps = []
    for dt in (0.1, 0.05):
        # L large enough that the model's tail e^{−2·0.7·h} beyond h ≈ 14 is negligible
        grid_task = sampled_task(KERNEL, dt=dt, length=4)
        gaps.append(abs(float(expected_linear_sampled_loss(grid_task, weights, rates)) - exact))
    # Σ Δ·(cell average)² vs ∫ (ρ − ρ̂)²: an O(Δ²) gap, so halving Δ divides it by ≈ 4
    assert gaps[0] < 0.05 * exact
    assert 3.5 < gaps[0] / gaps[1] < 4.5


# --- gradients -----------------------------------------------------------------------------
def _central_differences(loss, arguments, step=1e-6):
    gradients = []
    for index, argument in enumerate(arguments):
        gradient = np.zeros(argument.shape)
        for entry in np.ndindex(argument.shape):
            shifted = [np.array(a, copy=True) for a in arguments]
            shifted[index][entry] += step
            up = float(loss(*shifted))
            shifted[index][entry] -= 2 * step
            gradient[entry] = (up - float(loss(*shifted))) / (2 * step)
        gradients.append(gradient)
    return gradients


def test_linear_loss_gradient_matches_finite_differences(short_task):
    x = jnp.asarray(_fixed_input(short_task, seed=4))
    loss = jax.jit(lambda a, w: linear_sampled_loss(short_task, a, w, x))
    arguments = [WEIGHTS, RATES]
    gradients = jax.grad(loss, argnums=(0, 1))(*map(jnp.asarray, arguments))
    for ours, numeric in zip(gradients, _central_differences(loss, arguments), strict=True):
        # central differences, step 1e-6: O(step²) truncation + 1e-16·ℓ/step rounding
        np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)


def test_tanh_loss_gradient_matches_finite_differences(short_task):
    x = jnp.asarray(_fixed_input(short_task, seed=5))
    rng = np.random.default_rng(6)
    m = WEIGHTS.size
    arguments = [
        WEIGHTS,
        RATES,
        1.0 + 0.3 * rng.standard_normal(m),
        0.1 * rng.standard_normal((m, m)),
    ]
    loss = jax.jit(lambda a, w, u, c: tanh_sampled_loss(short_task, a, w, u, c, x))
    gradients = jax.grad(loss, argnums=(0, 1, 2, 3))(*map(jnp.asarray, arguments))
    for ours, numeric in zip(gradients, _central_differences(loss, arguments), strict=True):
        # central differences, step 1e-6: O(step²) truncation + 1e-16·ℓ/step rounding
        np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)


# --- the tanh model ------------------------------------------------------------------------
def test_tanh_model_reduces_to_the_linear_model_for_small_signals(short_task):
    x = _fixed_input(short_task, seed=7)
    m = WEIGHTS.size
    linear = LinearRNN.from_rates(RATES, WEIGHTS).outputs(x, short_task.dt, method="recurrence")
    errors = []
    for scale in (1e-3, 1e-4):
        outputs = tanh_outputs(WEIGHTS, RATES, np.ones(m), np.zeros((m, m)), scale * x, 0.1)
        errors.append(np.max(np.abs(np.asarray(outputs) / scale - linear)) / np.max(linear))
    # tanh z = z − z³/3 + …: the relative error is O(ε²·|x|²Δ²) (here |x| ≈ 3/√Δ), so
    # ε/10 divides it by ≈ 100
    assert errors[0] < 1e-3
    assert 90 < errors[0] / errors[1] < 110


def test_tanh_loss_is_the_linear_loss_for_small_signals(short_task):
    x = jnp.asarray(_fixed_input(short_task, seed=8)) * 1e-4
    m = WEIGHTS.size
    a, w = jnp.asarray(WEIGHTS), jnp.asarray(RATES)
    linear = linear_sampled_loss(short_task, a, w, x)
    tanh = tanh_sampled_loss(short_task, a, w, jnp.ones(m), jnp.zeros((m, m)), x)
    # outputs agree to relative O(ε²) ≈ 1e-8·(state size)²
    assert float(tanh) == pytest.approx(float(linear), rel=1e-6)


# --- jit -----------------------------------------------------------------------------------
def test_jitted_losses_equal_the_eager_values(short_task):
    x = jnp.asarray(_fixed_input(short_task, seed=9))
    a, w = jnp.asarray(WEIGHTS), jnp.asarray(RATES)
    u, c = jnp.ones(3), 0.05 * jnp.eye(3)
    jitted = jax.jit(lambda a, w, x: linear_sampled_loss(short_task, a, w, x))
    # the same operations compiled: rounding only
    assert float(jitted(a, w, x)) == pytest.approx(
        float(linear_sampled_loss(short_task, a, w, x)), rel=1e-13
    )
    jitted_tanh = jax.jit(lambda a, w, u, c, x: tanh_sampled_loss(short_task, a, w, u, c, x))
    eager = tanh_sampled_loss(short_task, a, w, u, c, x)
    assert float(jitted_tanh(a, w, u, c, x)) == pytest.approx(float(eager), rel=1e-13)


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"dt": 0.0}, "'dt' of sampled_task must be > 0"),
        ({"dt": -0.1}, "'dt' of sampled_task must be > 0"),
        ({"batch": 0}, "'batch' of sampled_task must be an integer ≥ 1"),
        ({"length": 0}, "'length' of sampled_task must be an integer ≥ 1"),
        ({"length": 2.5}, "'length' of sampled_task must be an integer ≥ 1"),
        ({"horizon": 0.0}, "'horizon' of sampled_task must be > 0"),
        ({"horizon": -1.0}, "'horizon' of sampled_task must be > 0"),
        ({"horizon": 1e5}, f"'horizon' of sampled_task must be ≤ {MAX_MEMORY_LENGTH}"),
    ],
)
def test_sampled_task_rejects_bad_options(options, match):
    with pytest.raises(SeqmemValueError, match=match):
        sampled_task(KERNEL, **options)


def test_sampled_task_rejects_a_kernel_too_long_for_the_default_horizon():
    with pytest.raises(SeqmemValueError, match=r"default horizon of powerlaw.*exceeds 65536"):
        sampled_task(from_spec("powerlaw(omega=0.5)"), dt=0.1)
    with pytest.raises(SeqmemValueError, match="'kernel' of sampled_task must be a seqmem Kernel"):
        sampled_task(np.exp)


def test_losses_reject_bad_models_and_inputs(short_task):
    x = jnp.asarray(_fixed_input(short_task, seed=10))
    a, u, c = jnp.asarray(WEIGHTS), jnp.ones(3), jnp.zeros((3, 3))
    with pytest.raises(SeqmemValueError, match="'rates' of linear_sampled_loss must be > 0"):
        linear_sampled_loss(short_task, a, jnp.array([1.0, 0.0, 2.0]), x)
    with pytest.raises(SeqmemValueError, match="'rates' of tanh_sampled_loss must be > 0"):
        tanh_sampled_loss(short_task, a, jnp.array([1.0, -1.0, 2.0]), u, c, x)
    with pytest.raises(SeqmemValueError, match="'rates' of linear_sampled_loss must have shape"):
        linear_sampled_loss(short_task, a, jnp.ones(2), x)
    with pytest.raises(SeqmemValueError, match="'coupling' of tanh_sampled_loss must have shape"):
        tanh_sampled_loss(short_task, a, jnp.asarray(RATES), u, jnp.zeros(3), x)
    with pytest.raises(SeqmemValueError, match=r"input x of linear_sampled_loss must have shape"):
        linear_sampled_loss(short_task, a, jnp.asarray(RATES), x[:, 1:])


def test_equal_tasks_are_equal_and_share_one_compilation():
    """Tasks are compared by value, so a second sampled run on the same target (another
    seed) reuses the compiled training loop; another Δ is another task."""
    from seqmem.dynamics import train
    from seqmem.dynamics.loop import _optimisation_loop

    kernel = Exponential(rate=2.0)
    first, again = (sampled_task(kernel, dt=0.1, batch=4, length=8) for _ in range(2))
    assert first is not again and first == again and hash(first) == hash(again)
    assert first != sampled_task(kernel, dt=0.05, batch=4, length=8)
    options = {"loss": "sampled", "optimizer": "adam", "steps": 20, "batch": 4, "length": 8}
    train(kernel, 2, seed=0, **options)
    compiled = _optimisation_loop._cache_size()
    train(kernel, 2, seed=1, **options)
    assert _optimisation_loop._cache_size() == compiled
