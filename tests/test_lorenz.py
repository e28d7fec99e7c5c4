"""The Lorenz-96 target (seqmem.lorenz) by independent routes: energy, DOP853, linearisation."""

import itertools
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from seqmem.errors import SeqmemValueError
from seqmem.lorenz import Lorenz96, lorenz_dataset

SYSTEM = Lorenz96()  # K = 40, F = 0.7, j = 2, h = 0.05 (docs/mathematics.md §4.8, our choice)


def _white_noise(shape, sigma=0.5, dt=0.1, seed=0):
    return sigma * np.random.default_rng(seed).standard_normal(shape) / math.sqrt(dt)


def _literal_field(X, u, forcing):
    """dX_k/dt written out site by site, the formula of docs/mathematics.md §4.8 read literally."""
    K = X.size
    rates = [(X[(k + 1) % K] - X[(k - 2) % K]) * X[(k - 1) % K] - X[k] + forcing for k in range(K)]
    rates[0] += u
    return np.array(rates)


# --- (a) the output is a functional of the input -----------------------------------------
def test_two_initial_states_driven_by_one_input_converge():
    # fading memory: the rest state and rest + a unit perturbation forget their difference;
    # the difference decays at about the slowest linear rate 1 − F·max f ≈ 0.22, so 800
    # cells (t = 80) take an O(1) difference far below 1e-6
    x = _white_noise(800, seed=1)
    kick = np.random.default_rng(2).standard_normal(SYSTEM.sites)
    initial = np.stack([np.full(40, 0.7), 0.7 + kick / np.linalg.norm(kick)])
    y = SYSTEM.outputs(x, 0.1, initial=initial)
    gap = np.abs(y[0] - y[1])
    envelope = gap.reshape(8, 100).max(axis=1)
    assert envelope[0] > 1e-2
    assert envelope[-1] < 1e-6
    assert np.all(envelope[2:] < envelope[:-2])  # decaying (two-block steps: not monotone)


# --- (b) energy: the quadratic term conserves Σ (X_k − F)² --------------------------------
def test_vector_field_satisfies_the_energy_identity():
    # Σ_k Y_k dX_k/dt = YᵀAY + Y_0 x exactly (Y = X − F): the quadratic term drops out;
    # A from jacobian() (shift matrices), the field from derivative() (padded slices)
    rng = np.random.default_rng(3)
    Y = 3.0 * rng.standard_normal((50, 40))
    u = 5.0 * rng.standard_normal(50)
    rates = SYSTEM.derivative(Y + 0.7, u)
    lhs = np.sum(Y * rates, axis=-1)
    rhs = np.einsum("bk,kl,bl->b", Y, SYSTEM.jacobian(), Y) + Y[:, 0] * u
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-10)  # rounding of O(10³) terms
    np.testing.assert_allclose(rates[7], _literal_field(Y[7] + 0.7, u[7], 0.7), rtol=1e-13)


def test_unforced_energy_decays_exactly_like_e_to_the_minus_2t_when_F_is_zero():
    # F = 0, x = 0: d‖X‖²/dt = −2‖X‖² whatever the (strong) nonlinearity does; RK4 tends to
    # that identity at fourth order (error ÷ ≈ 16 per halving of h)
    start = 2.0 * np.random.default_rng(4).standard_normal(40)  # ‖X‖ ≈ 13: nonlinear
    t = 0.1 * np.arange(1, 61)
    errors = []
    for step in (0.05, 0.025, 0.0125):
        X = Lorenz96(forcing=0.0, step=step).states(np.zeros(60), 0.1, initial=start)
        energy = np.sum(X**2, axis=-1) / np.sum(start**2)
        errors.append(np.max(np.abs(energy / np.exp(-2 * t) - 1)))
    assert errors[0] < 1e-4
    assert errors[0] / errors[1] > 12 and errors[1] / errors[2] > 12


def test_stable_forcing_range_is_where_the_jacobian_is_hurwitz():
    low, high = SYSTEM.stable_forcing_range()
    assert low == pytest.approx(-0.5, rel=1e-12)  # θ = π: f = −2
    assert high == pytest.approx(1 / (np.cos(np.pi / 2.5) - np.cos(2 * np.pi / 2.5)), rel=1e-12)
    for forcing, stable in ((0.7, True), (high - 1e-3, True), (high + 1e-3, False),
                            (low + 1e-3, True), (low - 1e-3, False)):  # fmt: skip
        A = Lorenz96(forcing=forcing).jacobian()
        assert (np.max(scipy.linalg.eigvals(A).real) < 0) == stable
    with pytest.raises(SeqmemValueError, match="outside the stable range"):
        Lorenz96(forcing=1.2).linear_model()


# --- (c) RK4 against solve_ivp --------------------------------------------------------------
def test_rk4_matches_dop853_with_fourth_order_convergence():
    x = _white_noise(100, seed=5)
    state, reference = np.full(40, 0.7), []
    for u in x:  # the input is constant within a cell: integrate cell by cell
        solution = scipy.integrate.solve_ivp(
            lambda t, X, u=u: _literal_field(X, u, 0.7),
            (0.0, 0.1),
            state,
            method="DOP853",
            rtol=1e-13,
            atol=1e-13,
        )
        state = solution.y[:, -1]
        reference.append(state[2] - 0.7)
    errors = [np.max(np.abs(Lorenz96(step=h).outputs(x) - reference)) for h in (0.05, 0.025)]
    assert errors[0] < 1e-6
    assert 14 < errors[0] / errors[1] < 18  # 2⁴ = 16: fourth order


# --- (d) small inputs: the linearisation ---------------------------------------------------
def test_small_input_outputs_tend_to_the_linear_response():
    # y(σx)/σ = ρ_j ⊛ x + O(σ); LinearRNN.outputs is the exact ZOH response of (A, e₀, e_j)
    linear = SYSTEM.linear_model()
    x = _white_noise(300, sigma=1.0, seed=6)
    expected = linear.outputs(x, 0.1)
    scale = np.max(np.abs(expected))
    sigmas = np.array([1e-2, 1e-3, 1e-4])
    errors = np.array([np.max(np.abs(SYSTEM.outputs(s * x) / s - expected)) for s in sigmas])
    slope = np.polyfit(np.log(sigmas), np.log(errors), 1)[0]
    assert 0.9 < slope < 1.1  # the quadratic term: error ∝ σ
    assert errors[-1] < 1e-3 * scale


# --- (e) the memory of the linear response ---------------------------------------------------
SITES = (2, 4, 8, 12, 16, 20, 24)


def test_memory_centroid_grows_with_the_read_out_site():
    centroids = [Lorenz96(read_out=j).memory_centroid() for j in SITES]
    assert np.all(np.diff(centroids) > 0)
    # docs/mathematics.md §4.8: ≈ 1.5 at j = 2, ≈ 14.6 at j = 24 (closed form: 1.5226, 14.674)
    assert centroids[0] == pytest.approx(1.5226, abs=1e-4)
    assert centroids[-1] == pytest.approx(14.674, abs=1e-3)


@pytest.mark.parametrize("site", [2, 24])
def test_response_energy_matches_quadrature_of_the_kernel(site):
    # Lyapunov closed forms vs adaptive quadrature of ρ_j(t) = e_jᵀ e^{At} e₀ (eigenmodes)
    system = Lorenz96(read_out=site)
    rho = system.linear_model().kernel
    pieces = np.arange(0.0, 201.0, 5.0)  # ρ_j ~ e^{−0.22 t}: negligible (1e-38) beyond 200

    def integral(fn):
        return sum(
            scipy.integrate.quad(fn, a, b, epsabs=1e-16, epsrel=1e-12, limit=200)[0]
            for a, b in itertools.pairwise(pieces)
        )

    energy, moment = system.response_energy()
    assert energy == pytest.approx(integral(lambda t: rho(t) ** 2), rel=1e-9)
    assert moment == pytest.approx(integral(lambda t: t * rho(t) ** 2), rel=1e-9)


# --- integration conventions and the data set ----------------------------------------------
def test_batched_outputs_equal_one_sequence_at_a_time():
    x = _white_noise((2, 3, 50), seed=7)
    batched = SYSTEM.outputs(x)
    assert batched.shape == (2, 3, 50)
    np.testing.assert_array_equal(batched[1, 2], SYSTEM.outputs(x[1, 2]))
    states = SYSTEM.states(x[0])
    assert states.shape == (3, 50, 40)
    np.testing.assert_allclose(states[..., 2] - 0.7, batched[0], rtol=0, atol=1e-15)


def test_a_longer_cell_is_more_rk4_steps_of_the_same_input():
    # Δ = 0.2 with x_k held is Δ = 0.1 with each x_k repeated, read every second cell
    x = _white_noise(40, seed=8)
    np.testing.assert_allclose(
        SYSTEM.outputs(x, 0.2), SYSTEM.outputs(np.repeat(x, 2), 0.1)[1::2], rtol=0, atol=1e-15
    )


def test_dataset_is_standardised_over_the_kept_samples():
    x, y, info = lorenz_dataset(SYSTEM, batch=6, length=100, seed=3)
    burn_in = info["burn_in"]
    assert burn_in == math.ceil(5 * SYSTEM.memory_centroid() / 0.1) + 50
    assert x.shape == y.shape == (6, burn_in + 100)
    assert np.mean(y[:, burn_in:]) == pytest.approx(0.0, abs=1e-12)
    assert np.std(y[:, burn_in:]) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(y * info["std"] + info["mean"], SYSTEM.outputs(x), atol=1e-14)
    again, _, _ = lorenz_dataset(SYSTEM, batch=6, length=100, seed=3)
    np.testing.assert_array_equal(x, again)
    x2, _, info2 = lorenz_dataset(SYSTEM, batch=2, length=10, burn_in=0, sigma=2.0)
    assert info2["burn_in"] == 0 and x2.shape == (2, 10)


# --- (f) bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sites": 3}, "'sites' of Lorenz96"),
        ({"read_out": 40}, "'read_out' of Lorenz96"),
        ({"read_out": -1}, "'read_out' of Lorenz96"),
        ({"step": 0.0}, "'step' of Lorenz96"),
        ({"forcing": float("nan")}, "'forcing' of Lorenz96"),
        ({"sites": 40.0}, "'sites' of Lorenz96"),
    ],
)
def test_invalid_systems_raise(arguments, message):
    with pytest.raises(SeqmemValueError, match=message):
        Lorenz96(**arguments)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: SYSTEM.outputs(np.zeros(5), 0.07), "whole multiple of the RK4 step"),
        (lambda: SYSTEM.outputs(np.zeros(5), -0.1), "'dt' of Lorenz96.outputs"),
        (lambda: SYSTEM.outputs(np.array([0.0, np.nan])), "finite"),
        (lambda: SYSTEM.outputs(np.zeros((2, 0))), "length ≥ 1"),
        (lambda: SYSTEM.outputs(np.zeros((2, 5)), initial=np.zeros(39)), "'initial'"),
        (lambda: SYSTEM.outputs(np.zeros((2, 5)), initial=np.zeros((3, 40))), "broadcast"),
        (lambda: SYSTEM.states(np.zeros((2, 5)), 0.33, initial=np.zeros(40)), "RK4 step 0.05"),
        (lambda: SYSTEM.derivative(np.zeros((2, 40)), np.zeros(3)), "broadcast"),
        (lambda: lorenz_dataset("L96", batch=2, length=5), "'system' of lorenz_dataset"),
        (lambda: lorenz_dataset(SYSTEM, batch=0, length=5), "'batch' of lorenz_dataset"),
        (lambda: lorenz_dataset(SYSTEM, batch=2, length=1), "'length' of lorenz_dataset"),
        (lambda: lorenz_dataset(SYSTEM, batch=2, length=5, sigma=0), "'sigma'"),
        (lambda: lorenz_dataset(SYSTEM, batch=2, length=5, burn_in=-1), "'burn_in'"),
        (lambda: lorenz_dataset(SYSTEM, batch=2, length=5, dt=0.125), "whole multiple"),
        (lambda: lorenz_dataset(Lorenz96(forcing=8.0), batch=2, length=5), "stable range"),
    ],
)
def test_invalid_calls_raise(call, message):
    with pytest.raises(SeqmemValueError, match=message):
        call()


def test_reachable_loss_is_a_width_m_model_no_worse_than_the_triangle_inequality_allows():
    """The reachable loss is the loss of a·ρ̂ * x for the best real width-8 fit ρ̂ of ρ_j and
    the best a. So it is ≤ the loss at the exact response's own scale a₀, and by the triangle
    inequality √loss(a₀ρ̂) ≤ √loss(a₀ρ) + |a₀|·rms((ρ − ρ̂) * x), every term computed on the
    same data by the recurrence (scipy.signal.lfilter of the ZOH-discretised models)."""
    from scipy.signal import lfilter

    from seqmem.approximation import best_fit
    from seqmem.experiments.lorenz import reachable_loss

    system = Lorenz96(read_out=2)
    x, y, info = lorenz_dataset(system, batch=16, length=400, seed=1)
    burn_in = info["burn_in"]
    reachable = reachable_loss(system, x, y, 8, burn_in, 0.1)
    fit = best_fit(system.linear_model().to_kernel(), 8, oscillating=False)

    def outputs(model):  # h_k = A h_{k−1} + B x_k, ŷ_k = c h_k: one lfilter per mode
        modes, B = model.discretize(0.1)
        assert modes.ndim == 1  # a diagonal model: A is its eigenvalues
        gains = np.ravel(model.c) * np.ravel(B)
        return sum(np.real(g * lfilter([1.0], [1.0, -a], x, axis=1)) for a, g in
                   zip(modes, gains, strict=True))  # fmt: skip

    target = y[:, burn_in:]
    exact = system.linear_model().outputs(x, 0.1)[:, burn_in:]
    scale = np.sum(target * exact) / np.sum(exact * exact)
    fitted = outputs(fit.model)[:, burn_in:]
    assert reachable <= np.mean((target - scale * fitted) ** 2) * (1 + 1e-12)
    bound = np.sqrt(np.mean((target - scale * exact) ** 2)) + abs(scale) * np.sqrt(
        np.mean((exact - fitted) ** 2)
    )
    assert math.sqrt(reachable) <= bound * (1 + 1e-12)
    assert 0 < reachable < 1  # better than predicting nothing (the output's variance is 1)


@pytest.mark.slow
def test_the_tanh_rnn_loss_spikes_at_step_001_and_not_at_0003():
    """At η = 0.01 Adam carries the tanh RNN's recurrence across a bifurcation: the batch
    loss, below 0.1 by then, jumps above 1 (worse than predicting nothing) after step 300;
    at the reproduction's η = 0.003 it stays below ½ (docs/mathematics.md §4.8)."""
    from seqmem.dynamics.data import train_on_data

    x, y, info = lorenz_dataset(Lorenz96(read_out=2), batch=256, length=400, seed=0)
    worst = {}
    for rate in (0.01, 0.003):
        run = train_on_data(x, y, 32, model="tanh", learning_rate=rate, epochs=188, dt=0.1,
                            batch=32, burn_in=info["burn_in"], seed=0)  # fmt: skip
        worst[rate] = float(np.max(run.loss[300:]))
    assert worst[0.01] > 1.0 and worst[0.003] < 0.5
