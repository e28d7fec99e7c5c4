"""Losses on sampled white-noise sequences, for training linear and tanh RNNs (ICLR 2021, §5).

The population loss of :mod:`seqmem.dynamics.loss` is the expectation of the losses here.
On the grid of :mod:`seqmem.functional` (step Δ, inputs piecewise constant) unit-intensity
white noise is x_k ~ N(0, 1/Δ) i.i.d. and the target is

    y_k = Σ_{j=0}^{M−1} K_j x_{k−j},        K_j = ∫_{jΔ}^{(j+1)Δ} ρ,

cut at a horizon h = MΔ beyond which ρ has (relatively) no energy left. A sequence has
N = M + L − 1 inputs and the loss averages the last L outputs k = M−1, …, N−1, each of
which sees the target's full memory window:

    ℓ(θ; x) = (1/(B L)) Σ_b Σ_{k=M−1}^{N−1} (y_k − ŷ_k)².

The model ŷ is an RNN run from rest (h = 0 before x_0) over the whole sequence. For the
linear diagonal model ρ̂(t) = Σ_i a_i e^{−w_i t} this is ŷ_k = Σ_{j≤k} K̂_j x_{k−j} with the
exact cell integrals K̂_j = ∫_{jΔ}^{(j+1)Δ} ρ̂, so that

    E ℓ = Σ_{j<M} (K_j − K̂_j)²/Δ + (1/L) Σ_{j=M}^{N−1} (N − j) K̂_j²/Δ

(:func:`expected_linear_sampled_loss`), which tends to J = ∫_0^∞ (ρ − ρ̂)² with an O(Δ²)
gap (a cell holds Δ·avg² instead of ∫ρ²) once the model's own memory fits in the horizon.
The second sum is the part of the model's tail beyond h that the finite sequence sees.

Example:
    >>> from seqmem._jax import jax, jnp
    >>> from seqmem.kernels import Exponential
    >>> task = sampled_task(Exponential(rate=1.0), dt=0.1, batch=4, length=16)
    >>> task.memory_length, task.sequence_length  # e^{−2h} ≤ 1e-8 at h = 9.3
    (93, 108)
    >>> x = white_noise_batch(jax.random.key(0), task)
    >>> x.shape
    (4, 108)
    >>> a, w = jnp.array([0.8]), jnp.array([1.0])  # ρ̂ = 0.8 e^{−t}: J = 0.2²/2 = 0.02
    >>> round(float(expected_linear_sampled_loss(task, a, w)), 4)
    0.02
    >>> float(linear_sampled_loss(task, a, w, x)) > 0  # one draw of that expectation
    True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import scipy.fft

from seqmem._jax import jax, jnp
from seqmem.errors import (
    SeqmemValueError,
    check_finite_array,
    check_integer,
    check_positive,
)
from seqmem.functional import grid_kernel
from seqmem.kernels import Kernel
from seqmem.kernels.base import integrate_pieces
from seqmem.rnn import modal_grid_kernel
from seqmem.tanh_rnn import tanh_outputs

# The longest memory window a task may hold (cells of the grid): 2¹⁶ = 65536.
MAX_MEMORY_LENGTH = 2**16
# Default horizon: the tail energy ∫_h^∞ ρ² is at most this fraction of ‖ρ‖²_{L²}.
TAIL_TOLERANCE = 1e-8


@dataclass(frozen=True, eq=False)
class SampledTask:
    """A white-noise regression task on the grid: target weights, Δ, batch and length.

    Equal and hashed by value (the weights' bytes, Δ, B, L), so a task can be closed over
    or passed as a static argument under ``jax.jit``, and runs on equal tasks (other seeds
    or optimisers) reuse one compilation.

    Args:
        target_weights: K_j = ∫_{jΔ}^{(j+1)Δ} ρ for j < M, array of shape (M,).
        dt: the grid step Δ > 0.
        batch: B ≥ 1, sequences per batch.
        length: L ≥ 1, outputs per sequence that enter the loss (the last L of N = M + L − 1).
    """

    target_weights: np.ndarray
    dt: float
    batch: int
    length: int

    def __post_init__(self) -> None:
        owner = "SampledTask"
        weights = check_finite_array("target_weights", self.target_weights, owner=owner)
        if weights.ndim != 1 or not 1 <= weights.size <= MAX_MEMORY_LENGTH:
            raise SeqmemValueError(
                f"the 'target_weights' of {owner} must have shape (M,) with "
                f"1 ≤ M ≤ {MAX_MEMORY_LENGTH}; got {weights.shape}"
            )
        weights = weights.copy()  # frozen: never the caller's array
        weights.setflags(write=False)
        object.__setattr__(self, "target_weights", weights)
        object.__setattr__(self, "dt", check_positive("dt", self.dt, owner=owner))
        object.__setattr__(
            self, "batch", check_integer("batch", self.batch, owner=owner, minimum=1)
        )
        object.__setattr__(
            self, "length", check_integer("length", self.length, owner=owner, minimum=1)
        )

    def _key(self) -> tuple:
        return (self.target_weights.tobytes(), self.dt, self.batch, self.length)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SampledTask) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def memory_length(self) -> int:
        """M, the number of target weights (the horizon is MΔ)."""
        return self.target_weights.shape[0]

    @property
    def sequence_length(self) -> int:
        """N = M + L − 1, the number of inputs per sequence."""
        return self.memory_length + self.length - 1


def _tail_energies(kernel: Kernel):
    """A function a ↦ ∫_a^∞ ρ², by adaptive quadrature of ρ² over fixed pieces.

    The pieces end at the sign changes, breakpoints and decay time of ρ; their energies are
    integrated once and summed from the right, so each call adds one short quadrature.
    """
    cuts = np.concatenate(
        [kernel.sign_change_times(), kernel.breakpoints(), [kernel.time_scales()[1]]]
    )
    edges = np.unique(np.concatenate([[0.0], cuts[np.isfinite(cuts) & (cuts > 0)], [np.inf]]))
    label = f"∫ρ² of {kernel.spec}"

    def energy(lo: float, hi: float) -> float:
        return integrate_pieces(lambda t: kernel(t) ** 2, np.array([lo, hi]), label)

    pieces = [energy(lo, hi) for lo, hi in itertools.pairwise(edges)]
    beyond = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]])  # beyond[p] = ∫_{e_p}^∞

    def tail(start: float) -> float:
        piece = int(np.searchsorted(edges, start, side="right")) - 1
        return energy(start, edges[piece + 1]) + float(beyond[piece + 1])

    return tail


def default_horizon(kernel: Kernel, dt: float) -> float:
    """The smallest h = nΔ (n ≥ 1) with ∫_h^∞ ρ² ≤ 1e-8 ‖ρ‖²_{L²}.

    The tail energy is computed by adaptive quadrature of ρ² (cut at the breakpoints, sign
    changes and decay time of ρ) and is non-increasing in h, so n is found by bisection
    over 1 ≤ n ≤ 2¹⁶ (17 evaluations).

    Raises:
        SeqmemValueError: if even h = 2¹⁶Δ leaves more than 1e-8 ‖ρ‖² (e.g. a power law at
            small Δ): pass a shorter ``horizon`` (truncating ρ) or a larger ``dt``.

    Example:
        >>> from seqmem.kernels import Exponential
        >>> round(default_horizon(Exponential(rate=1.0), 0.5), 12)  # e^{−2h} ≤ 1e-8: h ≥ 9.21
        9.5
    """
    if not isinstance(kernel, Kernel):
        raise SeqmemValueError(
            f"the 'kernel' of default_horizon must be a seqmem Kernel; got {type(kernel).__name__}"
        )
    dt = check_positive("dt", dt, owner="default_horizon")
    allowed = TAIL_TOLERANCE * kernel.l2_norm_squared()
    tail_energy = _tail_energies(kernel)
    longest = tail_energy(MAX_MEMORY_LENGTH * dt)
    if longest > allowed:
        raise SeqmemValueError(
            f"the default horizon of {kernel.spec} at dt={dt:g} exceeds {MAX_MEMORY_LENGTH} "
            f"steps: ∫_h^∞ ρ² = {longest / kernel.l2_norm_squared():.3g}·‖ρ‖² > "
            f"{TAIL_TOLERANCE:g}·‖ρ‖² at h = {MAX_MEMORY_LENGTH * dt:g}; pass a shorter "
            f"'horizon' (truncating ρ) or a larger 'dt'"
        )
    low, high = 0, MAX_MEMORY_LENGTH  # tail(low·Δ) > allowed (or low = 0), tail(high·Δ) ≤ allowed
    while high - low > 1:
        middle = (low + high) // 2
        if tail_energy(middle * dt) <= allowed:
            high = middle
        else:
            low = middle
    return high * dt


def sampled_task(
    kernel: Kernel,
    *,
    dt: float = 0.1,
    batch: int = 32,
    length: int = 256,
    horizon: float | None = None,
) -> SampledTask:
    """The white-noise task of a kernel ρ: its grid weights cut at a horizon.

    M = ⌈h/Δ⌉ weights K_j = ∫_{jΔ}^{(j+1)Δ} ρ (:func:`seqmem.functional.grid_kernel`).

    Args:
        kernel: the target ρ.
        dt: the grid step Δ > 0.
        batch: B ≥ 1, sequences per batch.
        length: L ≥ 1, outputs per sequence entering the loss.
        horizon: h > 0, the memory kept; default :func:`default_horizon` (the tail energy
            ∫_h^∞ ρ² ≤ 1e-8 ‖ρ‖²). At most 2¹⁶Δ.

    Example:
        >>> from seqmem.kernels import DelayBox
        >>> sampled_task(DelayBox(t0=1.0), dt=0.25, horizon=2.0).memory_length
        8
    """
    owner = "sampled_task"
    if not isinstance(kernel, Kernel):
        raise SeqmemValueError(
            f"the 'kernel' of {owner} must be a seqmem Kernel; got {type(kernel).__name__}"
        )
    dt = check_positive("dt", dt, owner=owner)
    batch = check_integer("batch", batch, owner=owner, minimum=1)
    length = check_integer("length", length, owner=owner, minimum=1)
    if horizon is None:
        horizon = default_horizon(kernel, dt)
    horizon = check_positive("horizon", horizon, owner=owner)
    steps = max(1, math.ceil(horizon / dt * (1.0 - 1e-12)))  # forgive h/Δ rounding up
    if steps > MAX_MEMORY_LENGTH:
        raise SeqmemValueError(
            f"the 'horizon' of {owner} must be ≤ {MAX_MEMORY_LENGTH}·dt = "
            f"{MAX_MEMORY_LENGTH * dt:g}; got {horizon:g} ({steps} steps of dt={dt:g})"
        )
    return SampledTask(grid_kernel(kernel, dt, steps), dt, batch, length)


def white_noise_batch(key: jax.Array, task: SampledTask) -> jax.Array:
    """Unit-intensity white noise x_k = ξ_k/√Δ, ξ_k ~ N(0, 1) i.i.d.; shape (B, M + L − 1)."""
    shape = (task.batch, task.sequence_length)
    return jax.random.normal(key, shape, dtype=jnp.float64) / math.sqrt(task.dt)


def diagonal_grid_kernel(weights: jax.Array, rates: jax.Array, dt: float, length: int) -> jax.Array:
    """K̂_j = ∫_{jΔ}^{(j+1)Δ} Σ_i a_i e^{−w_i t} dt = Σ_i a_i e^{−w_i jΔ}(1 − e^{−w_iΔ})/w_i.

    The factor (1 − e^{−wΔ})/w is −expm1(−wΔ)/w (accurate for wΔ ≪ 1). Complex a and w
    (oscillating modes, Re w > 0) give K̂_j = Re Σ_i a_i ∫ e^{−w_i t} over the cell. The powers
    e^{−w_i jΔ} come from the block decomposition of :class:`~seqmem.rnn.LinearRNN`'s grid
    kernel (a table for j < 4096 times one factor per block: a matrix product, never an
    (m, length) array of exponentials); differentiable in a and w.

    Args:
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,).
        dt: the grid step Δ.
        length: the number of weights (a static int).

    Returns:
        array of shape (length,).
    """
    gains = weights * -jnp.expm1(-rates * dt) / rates
    return modal_grid_kernel(-rates * dt, gains[:, None], length)[:, 0]


def _check_model(owner: str, task: SampledTask, x: jax.Array, **parameters) -> None:
    """Validate shapes always and values when concrete (never inside jit)."""
    if not isinstance(task, SampledTask):
        raise SeqmemValueError(
            f"the 'task' of {owner} must be a SampledTask; got {type(task).__name__}"
        )
    width = jnp.shape(parameters["weights"])
    if len(width) != 1 or width[0] == 0:
        raise SeqmemValueError(f"the 'weights' of {owner} must have shape (m,); got {width}")
    for name, value in parameters.items():
        shape = jnp.shape(value)
        expected = width * 2 if name == "coupling" else width
        if shape != expected:
            raise SeqmemValueError(
                f"the {name!r} of {owner} must have shape {expected}; got {shape}"
            )
    if jnp.ndim(x) < 1 or jnp.shape(x)[-1] != task.sequence_length:
        raise SeqmemValueError(
            f"the input x of {owner} must have shape (..., {task.sequence_length}) "
            f"(M + L − 1 samples); got {jnp.shape(x)}"
        )
    rates = parameters["rates"]
    if not isinstance(rates, jax.core.Tracer) and not np.all(np.asarray(rates) > 0):
        raise SeqmemValueError(
            f"the 'rates' of {owner} must be > 0 (a stable model); got {np.min(rates):g}"
        )


def linear_sampled_loss(
    task: SampledTask, weights: jax.Array, rates: jax.Array, x: jax.Array
) -> jax.Array:
    """ℓ = mean over the batch and the last L outputs of (y_k − ŷ_k)², linear diagonal model.

    ŷ_k = Σ_{j≤k} K̂_j x_{k−j} is the output of ρ̂(t) = Σ_i a_i e^{−w_i t} run from rest
    (the ZOH recurrence of :meth:`seqmem.rnn.LinearRNN.outputs`), y_k = Σ_{j<M} K_j x_{k−j},
    so y − ŷ = x ⊛ (K − K̂) (:func:`kernel_sampled_loss`). The cost is
    independent of the width m beyond forming K̂ (an (m, N) product); no (B, N, m) array
    exists. Differentiable in a and w and jit-friendly with ``task`` closed over.

    Args:
        task: the :class:`SampledTask` (static).
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,) (checked only outside jit).
        x: inputs, array of shape (..., M + L − 1), e.g. :func:`white_noise_batch`.

    Returns:
        a scalar; its expectation is :func:`expected_linear_sampled_loss` ≈ J (ICLR 2021, §5).
    """
    _check_model("linear_sampled_loss", task, x, weights=weights, rates=rates)
    model = diagonal_grid_kernel(weights, rates, task.dt, task.sequence_length)
    return kernel_sampled_loss(task, model, x)


def kernel_sampled_loss(task: SampledTask, model_kernel: jax.Array, x: jax.Array) -> jax.Array:
    """ℓ of any linear model given by its grid kernel K̂_j, j < N (:func:`linear_sampled_loss`).

    y − ŷ = x ⊛ (K − K̂) with K zero-padded to N = M + L − 1: one real-FFT convolution of size
    ≥ 2N − M = M + 2L − 2 (no wrap-around into the outputs kept).
    """
    memory, total = task.memory_length, task.sequence_length
    target = jnp.zeros(total).at[:memory].set(jnp.asarray(task.target_weights))
    residual = target - model_kernel
    size = scipy.fft.next_fast_len(2 * total - memory, real=True)
    spectrum = jnp.fft.rfft(residual, n=size) * jnp.fft.rfft(x, n=size)
    errors = jnp.fft.irfft(spectrum, n=size)[..., memory - 1 : total]
    return jnp.mean(errors**2)


def expected_linear_sampled_loss(
    task: SampledTask, weights: jax.Array, rates: jax.Array
) -> jax.Array:
    """E ℓ under unit white noise: Σ_{j<M}(K_j − K̂_j)²/Δ + (1/L) Σ_{j=M}^{N−1} (N − j) K̂_j²/Δ.

    Output k has E(y_k − ŷ_k)² = Σ_{j≤k} (K_j − K̂_j)²/Δ (K_j = 0 for j ≥ M); averaging
    over k = M−1, …, N−1 counts K̂_j, j ≥ M, N − j times. Tends to the population loss
    ∫(ρ − ρ̂)² (:func:`seqmem.dynamics.population_loss`) as Δ → 0 and L, h → ∞.

    Args:
        task: the :class:`SampledTask`.
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,).
    """
    memory, total = task.memory_length, task.sequence_length
    model = diagonal_grid_kernel(weights, rates, task.dt, total)
    inside = jnp.sum((jnp.asarray(task.target_weights) - model[:memory]) ** 2)
    counts = total - jnp.arange(memory, total, dtype=jnp.float64)
    outside = jnp.sum(counts * model[memory:] ** 2) / task.length
    return (inside + outside) / task.dt


def tanh_sampled_loss(
    task: SampledTask,
    weights: jax.Array,
    rates: jax.Array,
    input_weights: jax.Array,
    coupling: jax.Array,
    x: jax.Array,
) -> jax.Array:
    """ℓ = mean over the batch and the last L outputs of (y_k − ŷ_k)², tanh RNN.

    y_k = Σ_{j<M} K_j x_{k−j} by one real-FFT convolution (size ≥ N), ŷ by
    :func:`tanh_outputs` from rest over all N = M + L − 1 inputs; the gradient is
    backpropagation through time (``jax.grad`` through ``jax.lax.scan``, which stores the
    (N, B, m) states). Reduces to :func:`linear_sampled_loss` for small signals with
    u = 1, C = 0.

    Args:
        task: the :class:`SampledTask` (static).
        weights: a, array of shape (m,).
        rates: w > 0, array of shape (m,) (checked only outside jit).
        input_weights: u, array of shape (m,).
        coupling: C, array of shape (m, m).
        x: inputs, array of shape (..., M + L − 1).

    Returns:
        a scalar.
    """
    _check_model(
        "tanh_sampled_loss",
        task,
        x,
        weights=weights,
        rates=rates,
        input_weights=input_weights,
        coupling=coupling,
    )
    memory, total = task.memory_length, task.sequence_length
    size = scipy.fft.next_fast_len(total, real=True)  # outputs k ≥ M − 1 never wrap
    spectrum = jnp.fft.rfft(jnp.asarray(task.target_weights), n=size) * jnp.fft.rfft(x, n=size)
    target = jnp.fft.irfft(spectrum, n=size)[..., memory - 1 : total]
    model = tanh_outputs(weights, rates, input_weights, coupling, x, task.dt)[..., memory - 1 :]
    return jnp.mean((target - model) ** 2)
