"""Training on given sequence data (seqmem.dynamics.data) against NumPy routes and known models."""

import math

import numpy as np
import pytest
import scipy.signal

from seqmem.dynamics.data import initial_data_parameters, train_on_data
from seqmem.errors import SeqmemValueError
from seqmem.rnn import LinearRNN

DT = 0.1
BURN_IN = 100
# the data: white noise through a known two-mode linear model ρ = e^{−t/2} − 0.7 e^{−2t}
TRUE_MODEL = LinearRNN.from_rates([0.5, 2.0], [1.0, -0.7])


@pytest.fixture(scope="module")
def data():
    x = np.random.default_rng(0).standard_normal((16, 300)) / math.sqrt(DT)
    return x, TRUE_MODEL.outputs(x, DT)


def _numpy_linear_outputs(weights, rates, x):
    """ŷ = Σ_i a_i h_i, h_i the ZOH recurrence h ← e^{−wΔ}h + (1 − e^{−wΔ})/w·x, by lfilter."""
    decay = np.exp(-rates * DT)
    gain = (1 - decay) / rates
    return sum(
        a * scipy.signal.lfilter([g], [1.0, -d], x, axis=-1)
        for a, d, g in zip(weights, decay, gain, strict=True)
    )


def _numpy_tanh_outputs(weights, rates, input_weights, coupling, x):
    """h_k = tanh(e^{−wΔ}h + C h + u(1 − e^{−wΔ})/w x_k), ŷ_k = a·h_k: a plain NumPy loop."""
    decay = np.exp(-rates * DT)
    drive = input_weights * (1 - decay) / rates
    h = np.zeros((x.shape[0], rates.size))
    y = np.empty(x.shape)
    for k in range(x.shape[1]):
        h = np.tanh(h * decay + h @ coupling.T + x[:, k, None] * drive)
        y[:, k] = h @ weights
    return y


def test_width_four_recovers_a_two_mode_linear_target(data):
    x, y = data
    run = train_on_data(
        x, y, 4, batch=8, steps=1000, burn_in=BURN_IN, learning_rate=0.05, init_rates=(0.2, 5.0)
    )
    assert run.final_loss <= 1e-3 * np.var(y[:, BURN_IN:])
    assert run.loss.shape == run.steps.shape == (1000,)
    assert run.rates.shape == run.weights.shape == (1000, 4)
    np.testing.assert_allclose(run.rates[0], np.geomspace(0.2, 5.0, 4), rtol=1e-14)
    # the learned kernel is the true one (any split of the mode e^{−t/2} among units)
    t = np.linspace(0, 10, 101)
    learned = LinearRNN.from_rates(run.rates[-1], run.weights[-1]).kernel(t)
    assert np.max(np.abs(learned - TRUE_MODEL.kernel(t))) < 0.05  # a recorded step, not the last


@pytest.mark.parametrize("model", ["linear", "tanh"])
def test_training_loss_is_the_numpy_loss_at_the_initial_parameters(data, model):
    # batch = n: the mini-batch is a permutation of all sequences, so the first recorded
    # loss is the full-data loss at the start, computed here by lfilter / a NumPy loop
    x, y = data
    start = initial_data_parameters(5, model=model, init_weight=0.3)
    run = train_on_data(
        x, y, 5, model=model, batch=16, steps=1, record_every=1, burn_in=BURN_IN, init_weight=0.3
    )
    if model == "linear":
        predicted = _numpy_linear_outputs(start["weights"], start["rates"], x)
    else:
        predicted = _numpy_tanh_outputs(
            start["weights"], start["rates"], start["input_weights"], start["coupling"], x
        )
    expected = np.mean((y - predicted)[:, BURN_IN:] ** 2)
    assert run.loss[0] == pytest.approx(expected, rel=1e-12)  # FFT vs recursion rounding


def test_final_loss_is_the_full_data_loss(data):
    # a step of 1e-300 leaves every parameter unchanged, so the final parameters are the
    # initial ones: final_loss is their loss on all 16 sequences, the mini-batch loss is not
    x, y = data
    run = train_on_data(
        x, y, 3, batch=4, steps=3, burn_in=BURN_IN, learning_rate=1e-300, init_weight=0.2
    )
    start = initial_data_parameters(3, init_weight=0.2)
    predicted = _numpy_linear_outputs(start["weights"], start["rates"], x)
    full = np.mean((y - predicted)[:, BURN_IN:] ** 2)
    assert run.final_loss == pytest.approx(full, rel=1e-12)
    assert run.loss[0] != pytest.approx(full, rel=1e-6)


def test_tanh_model_trains(data):
    x, y = data
    run = train_on_data(
        x, y, 4, model="tanh", batch=8, steps=300, burn_in=BURN_IN, learning_rate=0.03
    )
    assert run.final_loss < 0.2 * run.loss[0]


def test_seed_fixes_the_mini_batches(data):
    x, y = data
    runs = [train_on_data(x, y, 2, batch=4, steps=20, seed=s) for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].loss, runs[1].loss)
    assert not np.array_equal(runs[0].loss, runs[2].loss)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y": np.zeros((16, 299))}, "'y' of train_on_data must have the shape of x"),
        ({"y": "nan"}, "'y' of train_on_data must contain only finite numbers"),
        ({"x": np.zeros(300), "y": np.zeros(300)}, "'x' of train_on_data must have shape"),
        ({"burn_in": 300}, "'burn_in' of train_on_data must be < the sequence length"),
        ({"burn_in": -1}, "'burn_in' of train_on_data"),
        ({"width": 0}, "'width' of train_on_data must be an integer ≥ 1"),
        ({"batch": 17}, "'batch' of train_on_data must be ≤"),
        ({"model": "gru"}, "'model' of train_on_data must be one of linear, tanh"),
        ({"optimizer": "lbfgs"}, "'optimizer' of train_on_data"),
        ({"learning_rate": 0.0}, "'learning_rate' of train_on_data"),
        ({"steps": 0}, "'steps' of train_on_data"),
        ({"dt": -1.0}, "'dt' of train_on_data"),
        ({"init_rates": (2.0, 1.0)}, "'init_rates' of initial_data_parameters"),
        ({"init_rates": (0.0, 1.0)}, "'init_rates' of initial_data_parameters"),
        ({"init_rates": 3.0}, "'init_rates' of initial_data_parameters must be a pair"),
        ({"rate_parameterisation": "cube"}, "unknown rate parameterisation"),
    ],
)
def test_invalid_input_raises(data, change, message):
    x, y = data
    arguments = {"x": x, "y": y, "width": 2, "steps": 2, "batch": 4}
    arguments.update(change)
    if isinstance(arguments["y"], str):
        arguments["y"] = y.copy()
        arguments["y"][3, 7] = np.nan
    with pytest.raises(SeqmemValueError, match=message):
        train_on_data(**arguments)


def test_divergence_is_reported(data):
    x, y = data
    with pytest.raises(SeqmemValueError, match="diverged"):
        train_on_data(x, 1e200 * y, 2, batch=4, optimizer="gd", learning_rate=1e10, steps=50)
