"""A nonlinear memory target: one site of a driven Lorenz-96 ring (ICLR 2021, §5).

Li, Han, E and Li (ICLR 2021, §5) train linear and tanh RNNs on a nonlinear target built
from the Lorenz-96 system. This module fixes the version of docs/mathematics.md §4.8, "The Lorenz-96
target (our choice)" (**our choice**, not the paper's exact values): a ring of K sites driven at
site 0,

    dX_k/dt = (X_{k+1} − X_{k−2}) X_{k−1} − X_k + F + δ_{k,0} x(t)        (indices mod K),

K = 40, F = 0.7, read out at an even site j as y(t) = X_j(t) − F, starting at rest X = F
(zero input in the past). In the deviation Y = X − F,

    dY/dt = A Y + N(Y) + e₀ x,   A = −I + F(S₊₁ − S₋₂),   N(Y)_k = (Y_{k+1} − Y_{k−2}) Y_{k−1},

with (S₊₁Y)_k = Y_{k+1}. The quadratic term conserves ‖Y‖² (Σ_k Y_k N(Y)_k = 0), so with
x = 0, d‖Y‖²/dt = 2 YᵀAY. A is circulant, hence normal: its symmetric part has the
eigenvalues Re λ_n = −1 + F(cos θ_n − cos 2θ_n), θ_n = 2πn/K, and rest is globally
exponentially stable exactly when A is Hurwitz, 1/min_n f_n < F < 1/max_n f_n with
f_n = cos θ_n − cos 2θ_n (−1/2 < F < 8/9 as K → ∞; (−0.5, 0.894) for K = 40). There y is a
fading-memory functional of x; for F ≥ 1.2 (and the chaotic F = 8) it is not.

The input is piecewise constant on a grid of step Δ (the convention of
:mod:`seqmem.functional`), x(t) = x_k on [kΔ, (k+1)Δ), integrated by classical RK4 with a
step h dividing Δ (default h = 0.05, two steps per cell); y_k = X_j((k+1)Δ) − F, the value
at the end of cell k. Linearised about rest the target is the linear RNN (A, e₀, e_j), whose
kernel ρ_j(t) = e_jᵀ e^{At} e₀ is the linear-response kernel; a disturbance travels round
the ring as a wave packet at about 1.6 sites per unit time, so the memory (the energy
centroid of ρ_j: 1.52 at j = 2, 14.67 at j = 24) grows linearly with j.

Example:
    >>> import numpy as np
    >>> system = Lorenz96(read_out=2)
    >>> round(system.memory_centroid(), 3)
    1.523
    >>> y = system.outputs(np.zeros((3, 5)))  # zero input: the ring stays at rest
    >>> y.shape, float(np.max(np.abs(y)))
    ((3, 5), 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from seqmem.errors import (
    SeqmemValueError,
    check_finite_array,
    check_integer,
    check_positive,
    check_real,
)
from seqmem.functional import check_signal
from seqmem.rnn import LinearRNN

#: how far Δ/h may be from an integer (relative) and still count as a whole number of steps
STEP_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Lorenz96:
    """The driven Lorenz-96 ring of docs/mathematics.md §4.8 (our choice), read out at one site.

    Args:
        sites: K ≥ 4, the number of sites on the ring.
        forcing: F, the constant forcing (finite; rest X = F is globally stable for F in
            :meth:`stable_forcing_range`, (−0.5, 0.894) at K = 40).
        read_out: j, 0 ≤ j < K, the site read as y = X_j − F (docs/mathematics.md §4.8 uses even j).
        step: h > 0, the RK4 step; the grid step Δ of the inputs must be a multiple of it.

    Raises:
        SeqmemValueError: on a value outside those ranges.
    """

    sites: int = 40
    forcing: float = 0.7
    read_out: int = 2
    step: float = 0.05

    def __post_init__(self) -> None:
        owner = "Lorenz96"
        sites = check_integer("sites", self.sites, owner=owner, minimum=4)
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "forcing", check_real("forcing", self.forcing, owner=owner))
        read_out = check_integer("read_out", self.read_out, owner=owner, minimum=0)
        if read_out >= sites:
            raise SeqmemValueError(
                f"the 'read_out' of {owner} must be a site 0 ≤ j < sites = {sites}; got {read_out}"
            )
        object.__setattr__(self, "read_out", read_out)
        object.__setattr__(self, "step", check_positive("step", self.step, owner=owner))

    # --- the vector field --------------------------------------------------------------
    def derivative(self, state: object, x: object = 0.0) -> np.ndarray:
        """dX/dt = (X_{k+1} − X_{k−2}) X_{k−1} − X_k + F + δ_{k,0} x at a state X.

        Args:
            state: X, array of shape (..., K).
            x: the input, a number or an array broadcasting against state[..., 0].

        Returns:
            array of shape (..., K).
        """
        owner = "Lorenz96.derivative"
        X = self._check_state("state", state, owner)
        u = check_finite_array("x", x, owner=owner)
        Y = np.moveaxis(X - self.forcing, -1, 0)
        try:
            u = np.broadcast_to(u, Y.shape[1:])
        except ValueError:
            raise SeqmemValueError(
                f"the input 'x' of {owner} must broadcast to the batch shape {Y.shape[1:]}; "
                f"got shape {u.shape}"
            ) from None
        rate = self._deviation_rate(Y, u, np.empty((self.sites + 3, *Y.shape[1:])))
        return np.moveaxis(rate, 0, -1)

    def _deviation_rate(self, Y: np.ndarray, u: np.ndarray, padded: np.ndarray) -> np.ndarray:
        """dY/dt = (Y_{k+1} − Y_{k−2})(Y_{k−1} + F) − Y_k + δ_{k,0} u for Y of shape (K, B).

        ``padded`` (shape (K + 3, B)) holds Y_{K−2}, Y_{K−1}, Y_0, …, Y_{K−1}, Y_0, so the
        three shifted copies are views; the (K, B) layout keeps each site contiguous.
        """
        padded[2:-1] = Y
        padded[:2] = Y[-2:]
        padded[-1] = Y[0]
        rate = padded[3:] - padded[:-3]
        rate *= padded[1:-2] + self.forcing
        rate -= Y
        rate[0] += u
        return rate

    # --- integration -------------------------------------------------------------------
    def outputs(self, x: object, dt: float = 0.1, *, initial: object = None) -> np.ndarray:
        """y_k = X_j((k+1)Δ) − F for a piecewise-constant input x_k on [kΔ, (k+1)Δ).

        Classical RK4 with step h = ``step`` (Δ/h steps per cell, the input constant
        within a cell), vectorised over the batch in NumPy (faster here than a jitted
        ``jax.lax.scan``, which needs a fresh compilation per shape: 0.25 s for
        256 × 1000 cells on one core, like the compiled scan, without its ~1 s compile).

        Args:
            x: inputs, array of shape (..., L).
            dt: the grid step Δ, a multiple of ``step``.
            initial: X(0), array of shape (..., K); default rest, X = F. The batch shapes
                of x and X(0) broadcast together (one input from many initial states).

        Returns:
            array of shape (..., L) (the broadcast batch shape).

        Example:
            >>> import numpy as np
            >>> y = Lorenz96(read_out=0).outputs(np.array([1e-6]), 0.1)
            >>> round(float(y[0]) / 1e-6, 6)  # K_0 = ∫_0^{0.1} ρ_0 ≈ 1 − e^{−0.1} = 0.095163
            0.095159
        """
        return self._integrate(x, dt, initial, "Lorenz96.outputs", every_site=False)

    def states(self, x: object, dt: float = 0.1, *, initial: object = None) -> np.ndarray:
        """The whole ring X((k+1)Δ) at the end of every cell, array of shape (..., L, K).

        Arguments as in :meth:`outputs`; ``outputs(x)[..., k]`` equals
        ``states(x)[..., k, j] − F``.
        """
        return self._integrate(x, dt, initial, "Lorenz96.states", every_site=True)

    def _integrate(
        self, x: object, dt: float, initial: object, owner: str, *, every_site: bool
    ) -> np.ndarray:
        x = check_signal(x, owner=owner)
        substeps = self.substeps(dt, owner=owner)
        batch_shape, length = x.shape[:-1], x.shape[-1]
        if initial is None:
            X0 = np.full(self.sites, self.forcing)
        else:
            X0 = self._check_state("initial", initial, owner)
        try:  # one input for many initial states, or many inputs from one state
            batch_shape = np.broadcast_shapes(batch_shape, X0.shape[:-1])
        except ValueError:
            raise SeqmemValueError(
                f"the batch shapes of the input {x.shape[:-1]} and the 'initial' state "
                f"{X0.shape[:-1]} of {owner} must broadcast together"
            ) from None
        x = np.broadcast_to(x, (*batch_shape, length))
        X0 = np.broadcast_to(X0, (*batch_shape, self.sites))
        Y = np.moveaxis(X0 - self.forcing, -1, 0)
        Y = Y.reshape(self.sites, -1).copy()
        inputs = x.reshape(-1, length).T.copy()  # (L, B), one contiguous row per cell
        padded = np.empty((self.sites + 3, Y.shape[1]))
        kept = np.empty((length, *(Y.shape if every_site else Y.shape[1:])))
        h = self.step
        for k in range(length):
            u = inputs[k]
            for _ in range(substeps):
                k1 = self._deviation_rate(Y, u, padded)
                k2 = self._deviation_rate(Y + 0.5 * h * k1, u, padded)
                k3 = self._deviation_rate(Y + 0.5 * h * k2, u, padded)
                k4 = self._deviation_rate(Y + h * k3, u, padded)
                Y = Y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            kept[k] = Y if every_site else Y[self.read_out]
        if every_site:  # (L, K, B) → (..., L, K), back to X = F + Y
            return np.moveaxis(kept, 2, 0).reshape(*batch_shape, length, self.sites) + self.forcing
        return kept.T.reshape(*batch_shape, length)

    def substeps(self, dt: float, *, owner: str = "Lorenz96") -> int:
        """n = Δ/h, the RK4 steps per cell; Δ must be a whole multiple of h."""
        dt = check_positive("dt", dt, owner=owner)
        ratio = dt / self.step
        count = round(ratio)
        if count < 1 or abs(ratio - count) > STEP_TOLERANCE * ratio:
            raise SeqmemValueError(
                f"the 'dt' of {owner} must be a whole multiple of the RK4 step "
                f"{self.step:g} (the input is constant within a cell); got {dt:g}"
            )
        return count

    def _check_state(self, name: str, state: object, owner: str) -> np.ndarray:
        X = check_finite_array(name, state, owner=owner)
        if X.ndim == 0 or X.shape[-1] != self.sites:
            raise SeqmemValueError(
                f"the {name!r} of {owner} must have shape (..., {self.sites}) (one value per "
                f"site); got {X.shape}"
            )
        return X

    # --- the linearisation -------------------------------------------------------------
    def jacobian(self) -> np.ndarray:
        """A = −I + F(S₊₁ − S₋₂), the Jacobian at rest, shape (K, K); (S₊₁X)_k = X_{k+1}."""
        identity = np.eye(self.sites)
        ahead = np.roll(identity, 1, axis=1)  # row k has its 1 in column k + 1
        behind_two = np.roll(identity, -2, axis=1)  # row k: column k − 2
        return -identity + self.forcing * (ahead - behind_two)

    def stable_forcing_range(self) -> tuple[float, float]:
        """(F₋, F₊): rest is globally exponentially stable (and A Hurwitz) iff F₋ < F < F₊.

        A is circulant with eigenvalues −1 + F(e^{iθ_n} − e^{−2iθ_n}), θ_n = 2πn/K, and
        normal, so with f_n = cos θ_n − cos 2θ_n the energy ‖X − F‖² of the unforced ring
        decays at rate ≥ 2(1 − F max f_n) whenever that is positive (the quadratic term
        conserves it): F₋ = 1/min f_n, F₊ = 1/max f_n, → (−1/2, 8/9) as K → ∞.

        Example:
            >>> [round(F, 4) for F in Lorenz96().stable_forcing_range()]
            [-0.5, 0.8944]
        """
        theta = 2.0 * np.pi * np.arange(self.sites) / self.sites
        f = np.cos(theta) - np.cos(2.0 * theta)
        return 1.0 / float(np.min(f)), 1.0 / float(np.max(f))

    def _check_stable(self, owner: str) -> None:
        low, high = self.stable_forcing_range()
        if not low < self.forcing < high:
            raise SeqmemValueError(
                f"the 'forcing' F = {self.forcing:g} of {owner} is outside the stable range "
                f"({low:.4g}, {high:.4g}) for {self.sites} sites: rest is unstable and the "
                f"output has no linear-response kernel"
            )

    def linear_model(self) -> LinearRNN:
        """The linearisation about rest as a :class:`~seqmem.rnn.LinearRNN`: W = A, U = e₀,
        c = e_j. Its kernel ρ_j(t) = e_jᵀ e^{At} e₀ is the linear-response kernel of y, and
        its outputs are lim_{σ→0} y(σx)/σ.

        Raises:
            SeqmemValueError: if F is outside :meth:`stable_forcing_range`.
        """
        self._check_stable("Lorenz96.linear_model")
        drive, read = np.zeros(self.sites), np.zeros(self.sites)
        drive[0], read[self.read_out] = 1.0, 1.0
        return LinearRNN(self.jacobian(), drive, read)

    def response_energy(self) -> tuple[float, float]:
        """(∫_0^∞ ρ_j², ∫_0^∞ t ρ_j²) exactly, by two Lyapunov equations.

        With P = ∫ e^{At} e₀e₀ᵀ e^{Aᵀt} dt and Q = ∫ t e^{At} e₀e₀ᵀ e^{Aᵀt} dt,
        AP + PAᵀ + e₀e₀ᵀ = 0 and AQ + QAᵀ + P = 0 (integrate d/dt[t·e^{At}e₀e₀ᵀe^{Aᵀt}]
        over [0, ∞)); the two integrals are P_jj and Q_jj.
        """
        self._check_stable("Lorenz96.response_energy")
        A = self.jacobian()
        drive = np.zeros((self.sites, 1))
        drive[0, 0] = 1.0
        P = scipy.linalg.solve_continuous_lyapunov(A, -drive @ drive.T)
        Q = scipy.linalg.solve_continuous_lyapunov(A, -P)
        j = self.read_out
        return float(P[j, j]), float(Q[j, j])

    def memory_centroid(self) -> float:
        """The energy centroid ∫ t ρ_j² dt / ∫ ρ_j² dt of the linear-response kernel.

        Closed form (:meth:`response_energy`): Q_jj/P_jj. At K = 40, F = 0.7 it is 1.52 at
        j = 2 and 14.67 at j = 24, about 0.6 j + 0.3 (a wave packet at ~1.6 sites per unit
        time).
        """
        energy, moment = self.response_energy()
        return moment / energy


def lorenz_dataset(
    system: Lorenz96,
    *,
    batch: int,
    length: int,
    sigma: float = 0.5,
    dt: float = 0.1,
    burn_in: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """White-noise inputs and standardised Lorenz-96 outputs (docs/mathematics.md §4.8, our choice).

    x_k = σ ξ_k/√Δ, ξ_k ~ N(0, 1) i.i.d. (white noise of intensity σ on the grid), the ring
    started at rest, and ỹ_k = (y_k − μ)/s with μ, s the mean and standard deviation of y
    over the last ``length`` samples of all sequences (the output's scale falls ~0.8× per
    site and its mean is not zero: the nonlinearity rectifies).

    Args:
        system: the :class:`Lorenz96` target (stable forcing).
        batch: n ≥ 1 sequences.
        length: L ≥ 2 samples per sequence after the burn-in.
        sigma: σ > 0, the noise intensity.
        dt: the grid step Δ (a multiple of ``system.step``).
        burn_in: b ≥ 0 leading samples to discard in losses (the outputs there still
            remember the rest state); default ⌈5·centroid/Δ⌉ + 50 (:meth:`memory_centroid`).
        seed: the NumPy seed of ξ.

    Returns:
        (x, ỹ, info): arrays of shape (n, b + L) and {"mean": μ, "std": s, "burn_in": b}.

    Example:
        >>> x, y, info = lorenz_dataset(Lorenz96(read_out=2), batch=4, length=50)
        >>> x.shape, info["burn_in"]  # ⌈5·1.523/0.1⌉ + 50
        ((4, 177), 127)
        >>> round(float(y[:, 127:].std()), 12)
        1.0
    """
    owner = "lorenz_dataset"
    if not isinstance(system, Lorenz96):
        raise SeqmemValueError(
            f"the 'system' of {owner} must be a Lorenz96; got {type(system).__name__}"
        )
    batch = check_integer("batch", batch, owner=owner, minimum=1)
    length = check_integer("length", length, owner=owner, minimum=2)
    sigma = check_positive("sigma", sigma, owner=owner)
    system.substeps(dt, owner=owner)
    if burn_in is None:
        burn_in = math.ceil(5.0 * system.memory_centroid() / dt) + 50
    burn_in = check_integer("burn_in", burn_in, owner=owner, minimum=0)
    rng = np.random.default_rng(seed)
    x = sigma * rng.standard_normal((batch, burn_in + length)) / math.sqrt(dt)
    y = system.outputs(x, dt)
    kept = y[:, burn_in:]
    mean, std = float(np.mean(kept)), float(np.std(kept))
    if not std > 0:
        raise SeqmemValueError(
            f"{owner}: the outputs have zero variance over the last {length} samples; "
            f"raise 'sigma' (now {sigma:g})"
        )
    return x, (y - mean) / std, {"mean": mean, "std": std, "burn_in": burn_in}
