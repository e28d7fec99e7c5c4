"""The continuous-time linear RNN dh/dt = W h + U x, ŷ = cᵀh, h(−∞) = 0 (ICLR 2021, §3).

Its memory kernel is ρ̂(t)ᵀ = cᵀ e^{Wt} U, a sum of (possibly oscillating)
exponentials. Three structures share one class:

- dense: W of shape (m, m), real;
- diagonal real: W = diag(λ), λ < 0 (``LinearRNN.from_rates``: ρ̂ = Σ a_i e^{−w_i t});
- diagonal complex: W = diag(λ), Re λ < 0, complex U and c, ŷ = Re(cᵀh).

On the grid of :mod:`seqmem.functional` the exact zero-order-hold recurrence is

    h_{k+1} = A h_k + B x_k,   y_k = Re(cᵀ h_{k+1}),   A = e^{WΔ},  B = ∫_0^Δ e^{Ws} ds U,

(B = W⁻¹(e^{WΔ} − I)U when W is invertible), whose impulse response is exactly the grid
kernel K_j = ∫_{jΔ}^{(j+1)Δ} ρ̂ = cᵀ A^j B. Outputs are computed by a plain NumPy
recurrence, by a ``jax.lax.scan`` over blocks of steps (:func:`scan_outputs`), or by FFT
convolution with the materialised K_j (:func:`modal_grid_kernel` for diagonal models).

Example:
    >>> import numpy as np
    >>> model = LinearRNN.from_rates(rates=[1.0, 3.0], weights=[0.5, 2.0])
    >>> float(model.kernel(0.0))  # ρ̂(0) = Σ a_i
    2.5
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.linalg

from seqmem._jax import jax, jnp
from seqmem.errors import SeqmemValueError, check_finite_array, check_integer, check_positive
from seqmem.functional import causal_convolution, check_signal
from seqmem.kernels import ExpSum

METHODS = ("fft", "scan", "recurrence")


@dataclass(frozen=True, eq=False)
class LinearRNN:
    """A width-m continuous-time linear RNN with d input channels and one output.

    Args:
        W: the recurrent matrix, array of shape (m, m) (dense, real) or (m,) (its diagonal,
            real or complex). Must be Hurwitz: every eigenvalue has Re λ < 0.
        U: the input matrix, array of shape (m, d), or (m,) for d = 1.
        c: the read-out vector, array of shape (m,).

    Raises:
        SeqmemValueError: on wrong shapes, non-finite entries or an unstable W.
    """

    W: np.ndarray
    U: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        owner = "LinearRNN"
        W = check_finite_array("W", self.W, owner=owner, dtype=complex)
        U = check_finite_array("U", self.U, owner=owner, dtype=complex)
        c = check_finite_array("c", self.c, owner=owner, dtype=complex)
        if W.ndim not in (1, 2) or (W.ndim == 2 and W.shape[0] != W.shape[1]) or W.shape[0] == 0:
            raise SeqmemValueError(
                f"W of LinearRNN must have shape (m, m) or (m,) (its diagonal) with m ≥ 1; "
                f"got {W.shape}"
            )
        width = W.shape[0]
        if U.ndim == 1:
            U = U[:, None]
        if U.ndim != 2 or U.shape[0] != width or U.shape[1] == 0:
            raise SeqmemValueError(f"U of LinearRNN must have shape ({width}, d); got {U.shape}")
        if c.shape != (width,):
            raise SeqmemValueError(f"c of LinearRNN must have shape ({width},); got {c.shape}")
        if W.ndim == 2 and np.any(W.imag != 0):
            raise SeqmemValueError(
                "a dense W of LinearRNN must be real; use a diagonal W for complex"
            )
        real = not (np.any(W.imag != 0) or np.any(U.imag != 0) or np.any(c.imag != 0))
        eigenvalues = W if W.ndim == 1 else scipy.linalg.eigvals(W.real)
        worst = eigenvalues[np.argmax(eigenvalues.real)]
        if worst.real >= 0:
            raise SeqmemValueError(
                f"W has an eigenvalue with real part {worst.real:.6g} ≥ 0: the RNN is unstable "
                f"(every eigenvalue needs Re λ < 0)"
            )
        if real:
            W, U, c = W.real, U.real, c.real
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "U", U)
        object.__setattr__(self, "c", c)

    @classmethod
    def from_rates(cls, rates: object, weights: object) -> LinearRNN:
        """The diagonal RNN with kernel ρ̂(t) = Σ_i a_i e^{−w_i t}: W = −diag(w), U = 1, c = a.

        Args:
            rates: decay rates w > 0 (complex allowed, Re w > 0), array of shape (m,).
            weights: a, array of shape (m,).
        """
        rates = check_finite_array("rates", rates, owner="LinearRNN.from_rates", dtype=complex)
        rates = rates.real if np.all(rates.imag == 0) else rates
        return cls(-rates, np.ones(rates.shape[0]), np.asarray(weights))

    # --- structure ---------------------------------------------------------------------
    @property
    def width(self) -> int:
        """m, the number of hidden units."""
        return self.W.shape[0]

    @property
    def input_dim(self) -> int:
        """d, the number of input channels."""
        return self.U.shape[1]

    @property
    def is_diagonal(self) -> bool:
        return self.W.ndim == 1

    @property
    def eigenvalues(self) -> np.ndarray:
        """The eigenvalues of W, shape (m,); the decay rates of ρ̂ are −Re λ."""
        return self.W if self.is_diagonal else scipy.linalg.eigvals(self.W)

    # --- the kernel --------------------------------------------------------------------
    def _modes(self) -> tuple[np.ndarray, np.ndarray]:
        """(λ, G) with ρ̂(t)ᵀ = Re Σ_i G_i e^{λ_i t}, G of shape (m, d) (W diagonalised)."""
        if self.is_diagonal:
            return self.W, self.c[:, None] * self.U
        eigenvalues, vectors = scipy.linalg.eig(self.W)
        if np.linalg.cond(vectors) > 1e10:
            raise SeqmemValueError(
                "W is (nearly) defective: its eigenvectors have condition number "
                f"{np.linalg.cond(vectors):.3g} > 1e10, so its kernel has no stable sum-of-"
                "exponentials form"
            )
        left = self.c @ vectors
        right = np.linalg.solve(vectors, self.U)
        return eigenvalues, left[:, None] * right

    def kernel(self, t: object) -> np.ndarray:
        """ρ̂(t) = cᵀ e^{Wt} U for t ≥ 0 (zero for t < 0).

        Returns:
            array of shape t.shape for d = 1, t.shape + (d,) otherwise.
        """
        t = np.asarray(t, dtype=float)
        eigenvalues, gains = self._modes()
        values = np.real(np.exp(np.multiply.outer(np.maximum(t, 0.0), eigenvalues)) @ gains)
        values = np.where((t >= 0)[..., None], values, 0.0)
        return values[..., 0] if self.input_dim == 1 else values

    def to_kernel(self) -> ExpSum:
        """ρ̂ as a :class:`seqmem.kernels.ExpSum` (d = 1), with closed-form transforms and norms."""
        if self.input_dim != 1:
            raise SeqmemValueError(
                f"to_kernel needs a single input channel; this RNN has d = {self.input_dim}"
            )
        eigenvalues, gains = self._modes()
        gains = gains[:, 0]
        if np.all(np.isreal(self.W)) and np.all(np.isreal(self.c)) and np.all(np.isreal(self.U)):
            # a real system's modes come in exact conjugate pairs; remove eig's rounding asymmetry
            order = np.lexsort((eigenvalues.imag, eigenvalues.real))
            eigenvalues, gains = eigenvalues[order], gains[order]
            gains = np.where(eigenvalues.imag == 0, gains.real, gains)
        else:
            # ŷ = Re(cᵀh): each complex mode G e^{λt} contributes (G e^{λt} + conj)/2
            eigenvalues = np.concatenate([eigenvalues, eigenvalues.conj()])
            gains = np.concatenate([gains, gains.conj()]) / 2.0
        return ExpSum(gains, -eigenvalues)

    # --- discretisation ----------------------------------------------------------------
    def discretize(self, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """The exact zero-order-hold pair (A, B) on a grid of step Δ.

        A = e^{WΔ}, B = ∫_0^Δ e^{Ws} ds U. Diagonal: B = Δ·φ(λΔ)·U with φ(z) = (e^z − 1)/z,
        computed by ``expm1`` (accurate as λΔ → 0). Dense: the block exponential
        exp([[W, U], [0, 0]]Δ) = [[A, B], [0, I]], which needs no inverse of W.

        Returns:
            A of shape (m,) (diagonal) or (m, m); B of shape (m, d).
        """
        dt = check_positive("dt", dt, owner="LinearRNN.discretize")
        if self.is_diagonal:
            z = self.W * dt
            safe = np.where(z == 0, 1.0, z)
            phi = np.where(z == 0, 1.0, np.expm1(safe) / safe)
            return np.exp(z), (dt * phi)[:, None] * self.U
        m, d = self.U.shape
        block = np.zeros((m + d, m + d))
        block[:m, :m], block[:m, m:] = self.W, self.U
        exponential = scipy.linalg.expm(block * dt)
        return exponential[:m, :m], exponential[:m, m:]

    def grid_kernel(self, dt: float, length: int) -> np.ndarray:
        """K_j = cᵀ A^j B = ∫_{jΔ}^{(j+1)Δ} ρ̂, j < length; shape (length,) or (length, d)."""
        length = check_integer("length", length, owner="LinearRNN.grid_kernel", minimum=1)
        weights = np.asarray(self._device_grid_kernel(dt, length))
        return weights[:, 0] if self.input_dim == 1 else weights

    def _device_grid_kernel(self, dt: float, length: int) -> jax.Array:
        """K_j as a JAX array of shape (length, d), left on the device."""
        A, B = self.discretize(dt)
        if self.is_diagonal:
            log_a = jnp.asarray((self.W * dt).astype(complex))  # A = e^{WΔ} exactly
            return modal_grid_kernel(log_a, jnp.asarray(self.c[:, None] * B), length)
        return dense_grid_kernel(jnp.asarray(A), jnp.asarray(B), jnp.asarray(self.c), length)

    # --- outputs -----------------------------------------------------------------------
    def outputs(self, x: object, dt: float, *, method: str = "fft") -> np.ndarray:
        """Outputs y_k = Re(cᵀh_{k+1}) on a piecewise-constant input (zero state at k = 0).

        Args:
            x: input samples, array of shape (..., length) when d = 1, (..., length, d) otherwise.
            dt: grid step Δ > 0.
            method: "fft" (convolution with the materialised K_j, O(L log L), cost
                independent of m), "scan" (the recurrence by :func:`scan_outputs`, a
                ``jax.lax.scan`` over blocks of ``SCAN_CHUNK`` steps, each block in closed
                form by matrix products; O(L·(m + T))) or "recurrence" (a plain NumPy loop
                over time, the reference).

        Returns:
            array of shape (..., length).
        """
        x = check_signal(x, owner="LinearRNN.outputs")
        dt = check_positive("dt", dt, owner="LinearRNN.outputs")
        d = self.input_dim
        if d == 1:
            x = x[..., None]
        elif x.ndim < 2 or x.shape[-1] != d:
            raise SeqmemValueError(
                f"the input of LinearRNN.outputs must have shape (..., length, {d}) for d = {d}; "
                f"got {x.shape}"
            )
        length = x.shape[-2]
        if method == "fft":
            weights = self._device_grid_kernel(dt, length)
            if d == 1:
                return np.asarray(causal_convolution(weights[:, 0], jnp.asarray(x[..., 0])))
            return np.asarray(causal_convolution(weights, jnp.asarray(x)))
        A, B = self.discretize(dt)
        if method == "scan":
            return np.asarray(
                scan_outputs(jnp.asarray(A), jnp.asarray(B), jnp.asarray(self.c), jnp.asarray(x))
            )
        if method == "recurrence":
            return _recurrence_outputs(A, B, self.c, x)
        raise SeqmemValueError(
            f"the 'method' of LinearRNN.outputs must be one of {METHODS}; got {method!r}"
        )


def _recurrence_outputs(A: np.ndarray, B: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The literal recurrence h ← A h + B x_k, y_k = Re(c·h), one NumPy step per time."""
    complex_state = np.iscomplexobj(A) or np.iscomplexobj(B) or np.iscomplexobj(c)
    h = np.zeros((*x.shape[:-2], A.shape[0]), dtype=complex if complex_state else float)
    y = np.empty(x.shape[:-1])
    for k in range(x.shape[-2]):
        h = (A * h if A.ndim == 1 else h @ A.T) + x[..., k, :] @ B.T
        y[..., k] = np.real(h @ c)
    return y


SCAN_CHUNK = 256  # steps per block of the scan path (fastest at m = 64 here; see outputs)


@partial(jax.jit, static_argnames="chunk")
def scan_outputs(
    A: jax.Array, B: jax.Array, c: jax.Array, x: jax.Array, *, chunk: int = SCAN_CHUNK
) -> jax.Array:
    """y_k = Re(cᵀh_{k+1}), h_{k+1} = A h_k + B x_k, h_0 = 0, by a ``jax.lax.scan`` over blocks.

    The time axis is cut into blocks of T = ``chunk`` steps. Inside a block starting from
    the state h, the recurrence has the closed form (exact, no approximation)

        y_{r} = Re(cᵀA^{r+1} h) + Σ_{s≤r} K_{r−s} x_s,    K_j = Re(cᵀA^jB),
        h' = A^T h + Σ_s A^{T−1−s} B x_s,

    so every block is three matrix products (a T×T Toeplitz matrix of K, the T×m table
    A^{T−1−s}B and the m×T table cᵀA^{r+1}) and only the block-start states h, of shape
    (..., length/T, m), are carried by the scan: ⌈length/T⌉ sequential steps instead of
    ``length``, at the matrix-product rate of the machine, and reverse-mode differentiation
    stores those states only (never an (..., length, m) array). ``chunk = 1`` is the literal
    one-step recurrence (slow, and it keeps every state). Pure and differentiable in A, B, c
    and x.

    Args:
        A: the discretised recurrent matrix e^{WΔ}, array of shape (m,) (diagonal) or (m, m).
        B: the discretised input matrix, array of shape (m, d).
        c: the read-out, array of shape (m,).
        x: inputs, array of shape (..., length, d).
        chunk: T, the block length (a static int ≥ 1; capped at ``length``).

    Returns:
        array of shape (..., length).
    """
    *lead, length, d = x.shape
    chunk = check_integer("chunk", chunk, owner="scan_outputs", minimum=1)
    block = min(chunk, length)
    blocks = -(-length // block)
    # zero padding at the end cannot change earlier outputs (the system is causal)
    x = jnp.pad(x.reshape(-1, length, d), ((0, 0), (0, blocks * block - length), (0, 0)))
    inputs = x.reshape(-1, block * d)  # one row per (sequence, block)

    diagonal = A.ndim == 1

    def next_tables(carry, _):
        power_b, read_out = carry  # A^r B and cᵀA^{r+1}
        following = (
            (A[:, None] * power_b, read_out * A) if diagonal else (A @ power_b, read_out @ A)
        )
        return following, carry

    first = (B.astype(jnp.result_type(A, B)), c * A if diagonal else c @ A)
    _, (powers_b, read_outs) = jax.lax.scan(next_tables, first, None, length=block)
    weights = jnp.real(jnp.einsum("m,rmd->rd", c, powers_b))  # K_r, (T, d)
    lag = jnp.arange(block)[:, None] - jnp.arange(block)[None, :]
    toeplitz = jnp.where((lag >= 0)[..., None], weights[jnp.maximum(lag, 0)], 0.0)  # (T, T, d)
    drive = jnp.moveaxis(powers_b[::-1], 2, 1).reshape(block * d, -1)  # A^{T−1−s}B, (T·d, m)
    A_block = A**block if diagonal else jnp.linalg.matrix_power(A, block)

    state_inputs = _product_with_real(inputs, drive).reshape(-1, blocks, drive.shape[1])

    def advance(h, u):
        return (A_block * h if diagonal else h @ A_block.T) + u, h

    sequences, _, width = state_inputs.shape
    initial = jnp.zeros((sequences, width), dtype=state_inputs.dtype)
    _, block_starts = jax.lax.scan(advance, initial, jnp.moveaxis(state_inputs, 1, 0))
    block_starts = jnp.moveaxis(block_starts, 0, 1).reshape(inputs.shape[0], -1)
    y = inputs @ toeplitz.reshape(block, block * d).T
    y = y + _real_part_of_product(block_starts, read_outs.T)
    return y.reshape(*lead, blocks * block)[..., :length]


def _product_with_real(real: jax.Array, matrix: jax.Array) -> jax.Array:
    """real @ matrix for a real or complex matrix, as one real matrix product."""
    if not jnp.iscomplexobj(matrix):
        return real @ matrix
    k = matrix.shape[1]
    both = real @ jnp.concatenate([matrix.real, matrix.imag], axis=1)
    return both[:, :k] + 1j * both[:, k:]


def _real_part_of_product(left: jax.Array, right: jax.Array) -> jax.Array:
    """Re(left @ right), as one real matrix product (XLA's complex products are slower)."""
    if not (jnp.iscomplexobj(left) or jnp.iscomplexobj(right)):
        return left @ right
    return jnp.concatenate([left.real, left.imag], axis=1) @ jnp.concatenate(
        [right.real, -right.imag], axis=0
    )


_KERNEL_BLOCK = 4096  # rows of the table a^r in modal_grid_kernel


@partial(jax.jit, static_argnums=2)
def modal_grid_kernel(log_a: jax.Array, gains: jax.Array, length: int) -> jax.Array:
    """K_j = Re Σ_i G_i a_i^j, j < length: the grid kernel of a diagonal RNN from its modes.

    For a diagonal RNN, a_i = e^{λ_iΔ} and G_i = c_i B_i (B the discretised input matrix),
    so K_j = Re(cᵀA^jB), the impulse response of :func:`scan_outputs`. With j = s + r,
    a^j = a^r·a^s: one table a^r for r < 4096 (shape (4096, m)) times a^s·G for every block
    start s, i.e. one matrix product instead of L·m complex exponentials and never an
    (L, m) array. Pure and differentiable in ``log_a`` and ``gains``.

    Args:
        log_a: log a_i = λ_iΔ, array of shape (m,), real or complex.
        gains: G, array of shape (m, d).
        length: the number of weights (a static int ≥ 1).

    Returns:
        array of shape (length, d).
    """
    block = min(_KERNEL_BLOCK, length)
    chunks = -(-length // block)
    offsets = jnp.arange(block, dtype=jnp.float64)
    starts = block * jnp.arange(chunks, dtype=jnp.float64)
    table = jnp.exp(offsets[:, None] * log_a[None, :])  # (block, m)
    scaled = jnp.exp(log_a[:, None] * starts[None, :])[:, :, None] * gains[:, None, :]
    weights = jnp.real(jnp.einsum("rm,mcd->crd", table, scaled))  # (chunks, block, d)
    return weights.reshape(chunks * block, gains.shape[1])[:length]


@partial(jax.jit, static_argnums=3)
def dense_grid_kernel(A: jax.Array, B: jax.Array, c: jax.Array, length: int) -> jax.Array:
    """K_j = cᵀ A^j B by scanning V ← A V from V = B."""

    def step(V, _):
        return A @ V, c @ V

    _, weights = jax.lax.scan(step, B, None, length=length)
    return weights
