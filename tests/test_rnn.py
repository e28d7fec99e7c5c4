"""Linear RNNs: three evaluation paths against each other and against scipy.signal.lfilter."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from seqmem import LinearRNN
from seqmem._jax import jax, jnp
from seqmem.errors import SeqmemValueError
from seqmem.functional import causal_convolution
from seqmem.rnn import modal_grid_kernel, scan_outputs

# The acceptance tolerance for float64 paths: 1e-10 relative to the output scale.
RTOL = 1e-10


def relative_difference(y, reference):
    return np.max(np.abs(y - reference)) / np.max(np.abs(reference))


@st.composite
def models(draw, max_width=6, input_dim=1):
    """Random stable RNNs of every structure, eigenvalue real parts down to −1e-4."""
    structure = draw(st.sampled_from(["diagonal-real", "diagonal-complex", "dense"]))
    width = draw(st.integers(1, max_width))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    decay = -np.exp(rng.uniform(np.log(1e-4), np.log(3.0), width))
    decay[0] = -1e-4  # always one eigenvalue at the edge of stability
    U = rng.normal(size=(width, input_dim))
    c = rng.normal(size=width)
    if structure == "diagonal-real":
        return LinearRNN(decay, U, c)
    if structure == "diagonal-complex":
        eigenvalues = decay + 1j * rng.uniform(-5, 5, width)
        return LinearRNN(
            eigenvalues, U + 1j * rng.normal(size=U.shape), c + 1j * rng.normal(size=width)
        )
    # dense real W = V J V⁻¹ with J in real block form (1×1 decays, 2×2 damped rotations)
    J = np.diag(decay)
    for i in range(0, width - 1, 2):
        if rng.uniform() < 0.5:
            J[i, i + 1], J[i + 1, i + 1] = 1.5, decay[i]
            J[i + 1, i] = -1.5
    V = np.eye(width) + 0.3 * rng.normal(size=(width, width))
    return LinearRNN(V @ J @ np.linalg.inv(V), U, c)


def lfilter_outputs(model, x, dt):
    """Independent route: eigen-decompose W, discretise each mode, filter it with lfilter."""
    W = np.diag(model.W) if model.is_diagonal else model.W
    eigenvalues, vectors = scipy.linalg.eig(W)
    left = model.c @ vectors
    right = np.linalg.solve(vectors, model.U)
    y = np.zeros(x.shape[:-1] if model.input_dim > 1 else x.shape, dtype=complex)
    for lam, g_left, g_right in zip(eigenvalues, left, right, strict=True):
        a = np.exp(lam * dt)
        b = (a - 1.0) / lam  # ∫_0^Δ e^{λs} ds
        drive = x @ g_right if model.input_dim > 1 else x * g_right[0]
        y += g_left * scipy.signal.lfilter([b], [1.0, -a], drive, axis=-1)
    return np.real(y)


lengths = st.sampled_from([1, 2, 37, 1000, 10_000])


@given(
    model=models(), length=lengths, dt=st.sampled_from([0.01, 0.1, 1.0]), seed=st.integers(0, 99)
)
def test_three_paths_and_lfilter_agree(model, length, dt, seed):
    x = np.random.default_rng(seed).normal(size=(2, length))
    reference = model.outputs(x, dt, method="recurrence")
    assert relative_difference(model.outputs(x, dt, method="scan"), reference) <= RTOL
    assert relative_difference(model.outputs(x, dt, method="fft"), reference) <= RTOL
    assert relative_difference(lfilter_outputs(model, x, dt), reference) <= RTOL


@given(model=models(max_width=4, input_dim=3), seed=st.integers(0, 99))
def test_multi_input_paths_agree(model, seed):
    x = np.random.default_rng(seed).normal(size=(2, 500, 3))
    reference = model.outputs(x, 0.1, method="recurrence")
    assert reference.shape == (2, 500)
    assert relative_difference(model.outputs(x, 0.1, method="scan"), reference) <= RTOL
    assert relative_difference(model.outputs(x, 0.1, method="fft"), reference) <= RTOL
    per_channel = sum(
        LinearRNN(model.W, model.U[:, i], model.c).outputs(x[..., i], 0.1, method="recurrence")
        for i in range(3)
    )
    assert relative_difference(per_channel, reference) <= RTOL


@given(
    model=models(input_dim=2),
    length=st.sampled_from([1, 5, 300]),
    chunk=st.sampled_from([1, 2, 7, 64, 1000]),
    seed=st.integers(0, 99),
)
def test_scan_block_length_does_not_change_outputs(model, length, chunk, seed):
    # inside a block the recurrence is solved in closed form: any block length (1 is the
    # literal one-step recurrence; longer than the input is one block) gives the same outputs
    x = np.random.default_rng(seed).normal(size=(3, length, 2))
    A, B = model.discretize(0.3)
    y = scan_outputs(
        jnp.asarray(A), jnp.asarray(B), jnp.asarray(model.c), jnp.asarray(x), chunk=chunk
    )
    assert relative_difference(np.asarray(y), model.outputs(x, 0.3, method="recurrence")) <= RTOL


def _complex_modes(width, seed):
    """(λΔ, B, c) of a diagonal complex RNN with memories of 1 to 300 steps."""
    rng = np.random.default_rng(seed)
    log_a = -np.geomspace(3e-3, 1.0, width) + 1j * rng.uniform(-np.pi, np.pi, width)
    B = rng.normal(size=(width, 1)) + 1j * rng.normal(size=(width, 1))
    c = (rng.normal(size=width) + 1j * rng.normal(size=width)) / np.sqrt(width)
    return jnp.asarray(log_a), jnp.asarray(B), jnp.asarray(c)


def _fft_loss(log_a, B, c, x, target):
    weights = modal_grid_kernel(log_a, c[:, None] * B, x.shape[-1])[:, 0]
    return jnp.mean((causal_convolution(weights, x) - target) ** 2)


def _scan_loss(log_a, B, c, x, target, chunk=256):
    y = scan_outputs(jnp.exp(log_a), B, c, x[..., None], chunk=chunk)
    return jnp.mean((y - target) ** 2)


def test_scan_and_fft_gradients_agree():
    # the two paths compute one function of (λΔ, B, c); so must reverse-mode differentiation,
    # checked also against a central difference of one parameter (step 1e-6, error O(h²))
    log_a, B, c = _complex_modes(12, seed=3)
    rng = np.random.default_rng(4)
    x, target = jnp.asarray(rng.normal(size=(4, 2000))), jnp.asarray(rng.normal(size=(4, 2000)))
    fft_value, fft_grads = jax.value_and_grad(_fft_loss, argnums=(0, 1, 2))(log_a, B, c, x, target)
    scan_value, scan_grads = jax.value_and_grad(_scan_loss, argnums=(0, 1, 2))(
        log_a, B, c, x, target
    )
    assert abs(scan_value - fft_value) <= 1e-12 * abs(fft_value)
    for from_fft, from_scan in zip(fft_grads, scan_grads, strict=True):
        assert np.max(np.abs(from_scan - from_fft)) <= 1e-9 * np.max(np.abs(from_fft))
    h = 1e-6
    step = jnp.zeros(12).at[5].set(h)
    central = (
        _scan_loss(log_a + step, B, c, x, target) - _scan_loss(log_a - step, B, c, x, target)
    ) / (2 * h)
    assert abs(central - scan_grads[0][5].real) <= 1e-6 * np.max(np.abs(scan_grads[0]))


@pytest.mark.parametrize("path", ["fft", "scan", "literal scan"])
def test_no_batch_length_width_array_in_forward_backward(path, largest_intermediate):
    # the rule: no path materialises a (batch, length, m) array unless asked; the
    # literal one-step scan (chunk = 1) must store every state for its backward pass, which
    # is what asking looks like, and shows that the measurement can see such an array
    batch, length, width = 8, 20_000, 32
    log_a, B, c = _complex_modes(width, seed=0)
    x, target = jnp.zeros((batch, length)), jnp.zeros((batch, length))
    loss = {
        "fft": _fft_loss,
        "scan": _scan_loss,
        "literal scan": lambda *args: _scan_loss(*args, chunk=1),
    }[path]
    jaxpr = jax.make_jaxpr(jax.value_and_grad(loss, argnums=(0, 1, 2)))(log_a, B, c, x, target)
    largest = largest_intermediate(jaxpr)
    if path == "literal scan":
        assert largest >= batch * length * width
    else:
        assert largest < batch * length * width / 8


@given(model=models(max_width=5))
def test_kernel_matches_matrix_exponential(model):
    W = np.diag(model.W) if model.is_diagonal else model.W
    for t in [0.0, 0.37, 2.0, 11.0]:
        expected = np.real(model.c @ scipy.linalg.expm(W * t) @ model.U)[0]
        assert abs(float(model.kernel(t)) - expected) <= 1e-10 * (1 + abs(expected))
        assert abs(float(model.to_kernel()(t)) - expected) <= 1e-10 * (1 + abs(expected))


@given(model=models(max_width=4), dt=st.sampled_from([0.05, 0.5]))
def test_grid_kernel_is_cell_integral_of_kernel(model, dt):
    """K_j = cᵀA^jB (ZOH) equals ∫ over the cell of ρ̂ (closed-form ExpSum integral, quad)."""
    weights = model.grid_kernel(dt, 50)
    edges = dt * np.arange(51)
    closed = model.to_kernel().integrate(edges[:-1], edges[1:])
    scale = np.max(np.abs(weights))
    assert np.max(np.abs(weights - closed)) <= 1e-11 * scale
    for j in [0, 7, 49]:
        quad = scipy.integrate.quad(
            lambda t: float(model.kernel(t)), edges[j], edges[j + 1], epsabs=1e-13 * scale, epsrel=0
        )[0]
        assert abs(weights[j] - quad) <= 1e-11 * scale


def test_zero_order_hold_matches_variation_of_constants():
    rng = np.random.default_rng(1)
    W = -np.eye(3) + 0.4 * rng.normal(size=(3, 3))
    model = LinearRNN(W, rng.normal(size=(3, 2)), rng.normal(size=3))
    A, B = model.discretize(0.3)
    np.testing.assert_allclose(A, scipy.linalg.expm(0.3 * W), rtol=1e-13)
    np.testing.assert_allclose(B, np.linalg.solve(W, (A - np.eye(3)) @ model.U), rtol=1e-11)


def test_diagonal_discretisation_near_zero_rate():
    """B = Δφ(λΔ)U stays exact as λΔ → 0, where (e^{λΔ} − 1)/λ cancels."""
    model = LinearRNN(np.array([-1e-12, -1.0]), np.ones(2), np.ones(2))
    _, B = model.discretize(0.1)
    assert abs(B[0, 0] - 0.1 * (1 - 0.5e-13)) < 1e-18
    assert abs(B[1, 0] - (1 - np.exp(-0.1))) < 1e-16


def test_from_rates_kernel_and_norm():
    model = LinearRNN.from_rates(rates=[1.0, 3.0], weights=[0.5, 2.0])
    t = np.linspace(0, 5, 11)
    np.testing.assert_allclose(model.kernel(t), 0.5 * np.exp(-t) + 2 * np.exp(-3 * t), rtol=1e-14)
    # ‖ρ̂‖² = Σ a_i a_j/(w_i + w_j)
    expected = 0.25 / 2 + 2 * 0.5 * 2 / 4 + 4 / 6
    assert abs(model.to_kernel().l2_norm_squared() - expected) < 1e-15


@pytest.mark.parametrize(
    "build, fragment",
    [
        (
            lambda: LinearRNN(np.array([[0.3, 0], [0, -1]]), np.ones(2), np.ones(2)),
            "W has an eigenvalue with real part 0.3 ≥ 0: the RNN is unstable",
        ),
        (lambda: LinearRNN(np.array([0.0, -1.0]), np.ones(2), np.ones(2)), "real part 0 ≥ 0"),
        (
            lambda: LinearRNN(np.array([-1.0, np.nan]), np.ones(2), np.ones(2)),
            "'W' of LinearRNN must contain only finite",
        ),
        (
            lambda: LinearRNN(np.array([-1.0, -2.0]), np.array([1.0, np.inf]), np.ones(2)),
            "'U' of LinearRNN must contain only finite",
        ),
        (
            lambda: LinearRNN(np.array([-1.0, -2.0]), np.ones(3), np.ones(2)),
            "U of LinearRNN must have shape (2, d)",
        ),
        (
            lambda: LinearRNN(np.array([-1.0, -2.0]), np.ones(2), np.ones(3)),
            "c of LinearRNN must have shape (2,)",
        ),
        (
            lambda: LinearRNN(-np.ones((2, 3)), np.ones(2), np.ones(2)),
            "must have shape (m, m) or (m,)",
        ),
        (
            lambda: LinearRNN(np.array([[-1.0, 1j], [0, -1]]), np.ones(2), np.ones(2)),
            "dense W of LinearRNN must be real",
        ),
    ],
)
def test_bad_models_raise(build, fragment):
    with pytest.raises(SeqmemValueError) as info:
        build()
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda m: m.outputs(np.ones(5), 0.0), "'dt' of LinearRNN.outputs must be > 0"),
        (lambda m: m.outputs(np.ones(5), -1.0), "must be > 0; got -1"),
        (
            lambda m: m.outputs(np.ones(5), 0.1, method="magic"),
            "'method' of LinearRNN.outputs must be one of",
        ),
        (
            lambda m: m.outputs(np.array([1.0, np.nan]), 0.1),
            "'input' of LinearRNN.outputs must contain only finite",
        ),
        (lambda m: m.outputs(np.ones((3, 0)), 0.1), "length ≥ 1"),
        (
            lambda m: m.grid_kernel(0.1, 0),
            "'length' of LinearRNN.grid_kernel must be an integer ≥ 1",
        ),
        (
            lambda m: scan_outputs(
                jnp.asarray(m.W), jnp.asarray(m.U), jnp.asarray(m.c), jnp.ones((5, 1)), chunk=0
            ),
            "'chunk' of scan_outputs must be an integer ≥ 1; got 0",
        ),
    ],
)
def test_bad_calls_raise(call, fragment):
    model = LinearRNN.from_rates([1.0], [1.0])
    with pytest.raises(SeqmemValueError) as info:
        call(model)
    assert fragment in str(info.value)


def test_multi_input_shape_mismatch():
    model = LinearRNN(np.array([-1.0, -2.0]), np.ones((2, 2)), np.ones(2))
    with pytest.raises(SeqmemValueError, match=r"shape \(\.\.\., length, 2\) for d = 2"):
        model.outputs(np.ones((10, 3)), 0.1)
