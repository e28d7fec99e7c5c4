"""Training on given sequence data (seqmem.dynamics.data) against NumPy routes and known models:
epochs, validation, early stopping, model objects, optax optimisers and data conventions."""

import math

import numpy as np
import optax
import pytest
import scipy.signal

from seqmem.dynamics.data import train_on_data
from seqmem.dynamics.trainable import initial_model
from seqmem.errors import SeqmemValueError
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

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
        x, y, 4, dt=DT, batch=8, epochs=500, burn_in=BURN_IN, learning_rate=0.05,
        init_rates=(0.2, 5.0),
    )  # fmt: skip
    assert run.final_loss <= 1e-3 * np.var(y[:, BURN_IN:])
    assert run.loss.shape == run.steps.shape == (1000,)  # 500 epochs of 2 steps
    assert run.rates.shape == run.weights.shape == (1000, 4)
    np.testing.assert_allclose(run.rates[0], np.geomspace(0.2, 5.0, 4), rtol=1e-14)
    # the learned kernel is the true one (any split of the mode e^{−t/2} among units)
    t = np.linspace(0, 10, 101)
    learned = run.model.kernel(t)
    assert np.max(np.abs(learned - TRUE_MODEL.kernel(t))) < 0.05
    # the model is the final parameters: its loss on all data is final_loss
    predicted = _numpy_linear_outputs(run.model.c, -run.model.W, x)
    expected = np.mean((y - predicted)[:, BURN_IN:] ** 2)
    assert run.final_loss == pytest.approx(expected, rel=1e-9)  # FFT vs lfilter on a tiny loss


def _dense_model(seed=3, width=3):
    """A stable dense W (eigenvalues of −(I + S) with S skew plus a small random part)."""
    rng = np.random.default_rng(seed)
    skew = rng.normal(size=(width, width))
    W = -np.eye(width) - 0.3 * (skew - skew.T) + 0.1 * rng.normal(size=(width, width))
    return LinearRNN(W, rng.normal(size=width), rng.normal(size=width))


#: the starting models of every kind, and their outputs by an independent NumPy route
STARTS = {
    "diagonal": (
        LinearRNN.from_rates([0.3, 1.0, 4.0], [0.2, -0.1, 0.3]),
        lambda m, x: _numpy_linear_outputs(m.c, -m.W, x),
    ),
    "complex": (
        LinearRNN(np.array([-0.5 + 2j, -1.5 - 0.5j]), np.ones(2), np.array([0.3 - 0.2j, 0.1j])),
        lambda m, x: m.outputs(x, DT, method="recurrence"),
    ),
    "dense": (_dense_model(), lambda m, x: m.outputs(x, DT, method="recurrence")),
    "tanh": (
        TanhRNN([0.5, 2.0, 1.0], [0.3, -0.2, 0.1], [1.0, 0.5, -1.0], 0.1 * np.eye(3)),
        lambda m, x: _numpy_tanh_outputs(m.weights, m.rates, m.input_weights, m.coupling, x),
    ),
}


@pytest.mark.parametrize("kind", list(STARTS))
def test_first_epoch_loss_is_the_numpy_loss_of_the_starting_model(data, kind):
    # batch = n: the epoch's one batch is a permutation of all sequences, so the first
    # recorded loss is the full-data loss of the start, computed by lfilter / a NumPy loop
    x, y = data
    start, numpy_outputs = STARTS[kind]
    run = train_on_data(x, y, start, dt=DT, batch=16, epochs=1, burn_in=BURN_IN)
    expected = np.mean((y - numpy_outputs(start, x))[:, BURN_IN:] ** 2)
    assert run.loss[0] == pytest.approx(expected, rel=1e-12)  # FFT vs recursion rounding
    assert type(run.model) is type(start) and run.model.width == start.width
    # the trained model's final_loss is its loss by the NumPy route
    trained = np.mean((y - numpy_outputs(run.model, x))[:, BURN_IN:] ** 2)
    assert run.final_loss == pytest.approx(trained, rel=1e-12)


@pytest.mark.parametrize("model", ["linear", "complex", "dense", "tanh"])
def test_a_named_model_starts_as_initial_model(data, model):
    x, y = data
    start = initial_model(5, model, init_rates=(0.05, 5.0), init_weight=0.3)
    by_name = train_on_data(x, y, 5, model=model, dt=DT, batch=16, epochs=1, init_weight=0.3)
    by_object = train_on_data(x, y, start, dt=DT, batch=16, epochs=1)
    np.testing.assert_array_equal(by_name.loss, by_object.loss)


def test_each_epoch_uses_every_sequence_once(data):
    # a step of 1e-300 leaves the parameters unchanged: with B | n the mean batch loss of an
    # epoch is then the full-data loss exactly when the epoch's batches partition the data
    # (sampling with replacement, or overlapping batches, would miss some sequences)
    x, y = data
    run = train_on_data(
        x, y, 3, dt=DT, batch=4, epochs=3, burn_in=BURN_IN, learning_rate=1e-300,
        init_weight=0.2, record_every=4,
    )  # fmt: skip
    start = initial_model(3, init_rates=(0.05, 5.0), init_weight=0.2)
    full = np.mean((y - _numpy_linear_outputs(start.c, -start.W, x))[:, BURN_IN:] ** 2)
    np.testing.assert_allclose(run.loss, full, rtol=1e-12)  # one record per epoch
    assert run.final_loss == pytest.approx(full, rel=1e-12)
    single = train_on_data(x, y, 3, dt=DT, batch=4, epochs=1, learning_rate=1e-300,
                           burn_in=BURN_IN, init_weight=0.2, record_every=1)  # fmt: skip
    assert np.ptp(single.loss) > 1e-3 * full  # the batches themselves differ


def test_tanh_model_trains(data):
    x, y = data
    run = train_on_data(
        x, y, 4, model="tanh", dt=DT, batch=8, epochs=150, burn_in=BURN_IN, learning_rate=0.03
    )
    assert run.final_loss < 0.2 * run.loss[0]


def test_seed_fixes_the_mini_batches(data):
    x, y = data
    runs = [train_on_data(x, y, 2, dt=DT, batch=4, epochs=5, seed=s) for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].loss, runs[1].loss)
    assert not np.array_equal(runs[0].loss, runs[2].loss)


def test_one_channel_axis_is_accepted(data):
    x, y = data
    flat = train_on_data(x, y, 2, dt=DT, batch=4, epochs=2)
    channel = train_on_data(x[..., None], y[..., None], 2, dt=DT, batch=4, epochs=2)
    np.testing.assert_array_equal(flat.loss, channel.loss)


def test_best_validation_parameters_are_kept(data):
    x, y = data
    run = train_on_data(x, y, 2, dt=DT, batch=4, epochs=30, validation=0.25, burn_in=BURN_IN,
                        learning_rate=0.05)  # fmt: skip
    assert run.validation_loss.shape == (30,)
    assert run.best_epoch == 1 + int(np.argmin(run.validation_loss))
    # the held-out sequences are the 4 the seeded permutation puts first
    held_out = np.sort(np.random.default_rng(0).permutation(16)[:4])
    predicted = _numpy_linear_outputs(run.model.c, -run.model.W, x[held_out])
    loss = np.mean((y[held_out] - predicted)[:, BURN_IN:] ** 2)
    assert loss == pytest.approx(np.min(run.validation_loss), rel=1e-9)


def test_early_stopping_after_patience_epochs_without_improvement(data):
    # validating against the negated target: every step that fits y worsens the validation
    # loss, so the best epoch is the first and training stops ``patience`` epochs later
    x, y = data
    run = train_on_data(x, y, 2, dt=DT, batch=4, epochs=50, validation=(x, -y), patience=3,
                        learning_rate=0.05, init_weight=0.0)  # fmt: skip
    assert run.best_epoch == 1
    assert run.validation_loss.shape == (4,)
    assert np.all(run.validation_loss[1:] > run.validation_loss[0])
    assert run.steps.size == 4 * 4  # 4 epochs of 4 steps, one record per step


def test_optax_optimisers_and_schedules(data):
    x, y = data
    options = {"dt": DT, "batch": 4, "epochs": 3, "burn_in": BURN_IN}
    named = train_on_data(x, y, 2, optimizer="adam", learning_rate=0.02, **options)
    given = train_on_data(x, y, 2, optimizer=optax.adam(0.02), learning_rate=None, **options)
    np.testing.assert_allclose(given.loss, named.loss, rtol=1e-13)
    cosine = train_on_data(x, y, 2, learning_rate=0.02, schedule="cosine", **options)
    schedule = optax.cosine_decay_schedule(0.02, 12)  # 3 epochs of 4 steps
    explicit = train_on_data(x, y, 2, optimizer=optax.adam(schedule), learning_rate=None, **options)
    np.testing.assert_allclose(cosine.loss, explicit.loss, rtol=1e-13)
    as_rate = train_on_data(x, y, 2, optimizer="adam", learning_rate=schedule, **options)
    np.testing.assert_allclose(as_rate.loss, explicit.loss, rtol=1e-13)
    assert not np.allclose(cosine.loss, named.loss, rtol=1e-6)


def test_a_rate_map_by_object_is_the_rate_map_by_name(data):
    from seqmem.reparam import parameterisation

    x, y = data
    options = {"dt": DT, "batch": 4, "epochs": 2, "burn_in": BURN_IN, "learning_rate": 0.05}
    by_name = train_on_data(x, y, 2, rate_parameterisation="softplus", **options)
    by_object = train_on_data(
        x, y, 2, rate_parameterisation=parameterisation("softplus"), **options
    )
    exp = train_on_data(x, y, 2, **options)
    np.testing.assert_array_equal(by_object.loss, by_name.loss)
    assert not np.allclose(by_name.rates[-1], exp.rates[-1], rtol=1e-6)  # the map matters


def test_progress_bar_on_request(data, capsys):
    x, y = data
    train_on_data(x, y, 2, dt=DT, batch=4, epochs=2, progress=True)
    assert "train_on_data" in capsys.readouterr().err
    train_on_data(x, y, 2, dt=DT, batch=4, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


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
        ({"model": "gru"}, "'model' of train_on_data must be one of linear, complex, dense"),
        ({"optimizer": "lbfgs"}, "'optimizer' of train_on_data"),
        ({"learning_rate": 0.0}, "'learning_rate' of train_on_data"),
        ({"epochs": 0}, "'epochs' of train_on_data"),
        ({"dt": -1.0}, "'dt' of train_on_data"),
        ({"validation": 1.0}, "'validation' of train_on_data must be a fraction"),
        ({"validation": 0.01}, "holds out 0 of 16"),
        ({"validation": (np.zeros((2, 5)), np.zeros((2, 5)))}, "length L = 300"),
        ({"patience": 2}, "'patience' of train_on_data needs a 'validation' set"),
        ({"x": np.zeros((16, 300, 2)), "y": np.zeros((16, 300, 2))}, r"\(n, L\) or \(n, L, 1\)"),
        ({"width": LinearRNN(-np.ones(2), np.ones((2, 2)), np.ones(2))}, "one input channel"),
        ({"width": "m"}, "'width' of train_on_data must be an integer"),
        ({"init_rates": (2.0, 1.0)}, "'init_rates' of train_on_data"),
        ({"init_rates": (0.0, 1.0)}, "'init_rates' of train_on_data"),
        ({"init_rates": 3.0}, "'init_rates' of train_on_data must be a pair"),
        ({"rate_parameterisation": "cube"}, "unknown rate parameterisation"),
    ],
)
def test_invalid_input_raises(data, change, message):
    x, y = data
    arguments = {"x": x, "y": y, "width": 2, "epochs": 2, "batch": 4}
    arguments.update(change)
    if isinstance(arguments["y"], str):
        arguments["y"] = y.copy()
        arguments["y"][3, 7] = np.nan
    with pytest.raises(SeqmemValueError, match=message):
        train_on_data(**arguments)


def test_divergence_is_reported(data):
    x, y = data
    with pytest.raises(SeqmemValueError, match="diverged"):
        train_on_data(x, 1e200 * y, 2, batch=4, optimizer="gd", learning_rate=1e10, epochs=12)
