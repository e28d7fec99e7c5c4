"""Benchmark: outputs of a diagonal complex ``LinearRNN`` by FFT, scan, loop and lfilter.

Run ``python benchmarks/recurrence.py`` (``--help`` for the flags). Everything is measured
in one process, on one input, so that the ratios are meaningful on a noisy machine.

The model is a width-m (default 64) diagonal complex RNN with eigenvalues λ_i whose real
parts are log-spaced in [−1, −1e−3] (memory from one step to ~1000 steps, so the kernel
spans the whole sequence) and whose imaginary parts are uniform in [−π, π) (oscillations
below the grid's Nyquist frequency, Δ = 1); U and c are complex Gaussian, all seeded.
The input is Gaussian noise of shape (batch, length), default (32, 100 000).

What is timed, and why:

1. ``fft_path``: ``model.outputs(x, dt, method="fft")``, the library's default, NumPy in
   and NumPy out. It is split into its two costs: ``grid_kernel``, the materialisation
   of K_j = Re(cᵀA^jB) for j < length (``model.grid_kernel``), and ``convolution``, the
   jitted FFT convolution ``causal_convolution(K, x)`` on arrays already on the device.
2. ``scan_path``: ``method="scan"``, the recurrence by ``seqmem.rnn.scan_outputs``: a
   ``jax.lax.scan`` over blocks of 256 steps, each block in closed form by matrix products
   (a scan of single steps took 0.53 s here, 27× the FLOP floor: elementwise work on a
   (batch, m) state, 10⁵ sequential steps).
3. ``plain_loop``: ``method="recurrence"``, the NumPy loop over time, the reference. If a
   full-length run would take too long it is timed on a prefix and scaled linearly (the
   loop's cost is exactly linear in the length); the output says so.
4. ``lfilter``: ``scipy.signal.lfilter``, the standard CPU tool for linear recurrences.
   Each complex mode and its conjugate are folded into one real second-order filter,
   (Re g − Re(g ā) z⁻¹) / (1 − 2 Re a z⁻¹ + |a|² z⁻²), and the m filter outputs are
   summed (a parallel form). A single real transfer function of order 2m would be one
   call, but its polynomial coefficients are far too ill-conditioned for poles this close
   to the unit circle. Its outputs are checked against the FFT path (relative 1e−8).
5. ``fft_fwd_bwd`` and ``scan_fwd_bwd``: the value and the gradient, with respect to the
   parameters θ = (λΔ, B, c), of the mean squared error mean((y − z)²) against a fixed
   target z, jitted, through each path (the FFT path differentiates through the kernel's
   materialisation ``modal_grid_kernel``). Their gradients are checked against each other.
6. Floors, measured here:
   - ``fft_floor``: the three jitted real FFTs of the padded size ``fft_length(length)``
     that any FFT convolution needs (rfft of x, rfft of the kernel, irfft of the product);
     ``fft_floor_fwd_bwd`` adds the two the gradient needs (rfft of the output's cotangent
     over the batch, irfft of the batch-summed product for the kernel's cotangent);
   - ``flop_floor``: the floating-point work of the recurrence itself at the machine's
     matrix-product rate (``matmul``: a jitted 1024×1024 float64 product, 2·1024³ flops).
     Per sequence, step and mode the forward recurrence does 14 real flops (a·h: 6,
     b·x: 2, the sum: 2, Re(c·h) and its sum over modes: 4) and the backward 30 more (the
     adjoint recurrence 14, the gradients of a, b and c 16), so ``flop_floor`` is
     14·batch·length·m flops and ``flop_floor_fwd_bwd`` 44·batch·length·m, divided by the
     rate. Elementwise work cannot run at the matrix-product rate, which is the point of
     the scan path's blocks;
   - ``memcopy``: a NumPy copy of as many bytes as the input and output together, which
     no method can beat; its bandwidth is printed.

The ratios (``kind``, see ``harness.py``):

- ``x_floor`` (the path's seconds / the floor's, ≥ 1: how far from the floor): ``fft_path``
  against ``fft_floor`` and ``memcopy``, ``convolution`` against ``fft_floor``,
  ``scan_path`` against ``flop_floor``, ``fft_fwd_bwd`` and ``scan_fwd_bwd`` against their
  ``*_floor_fwd_bwd``, and ``fft_fwd_bwd`` against ``fft_path`` (the gradient's extra cost
  over the forward pass it contains);
- ``speedup`` (the other method's seconds / seqmem's, > 1: seqmem is faster): the rows
  ``plain_loop`` and ``lfilter`` time the competitor, their baseline is seqmem's path;
  the rows ``scan_path`` and ``scan_fwd_bwd`` against the FFT path (both seqmem's) are
  the speed-up of the scan path over the default FFT path (FFT seconds / scan seconds,
  < 1 where the FFT path is faster).

``grid_kernel`` has no baseline; its share of ``fft_path`` is in the notes.

With ``--json`` stdout holds only a JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; the notes go to stderr.
The exit status is 1 if a method's outputs or gradients disagree with the FFT path's by more
than 1e−8 (relative to their largest entry).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import scipy.signal
from harness import Row, aim_column, emit, format_table, positive_count

from seqmem import LinearRNN
from seqmem._jax import jax, jnp  # seqmem's JAX, configured for float64
from seqmem.functional import causal_convolution, fft_length
from seqmem.rnn import modal_grid_kernel, scan_outputs

SEED = 0
DT = 1.0
AGREEMENT_TOLERANCE = 1e-8
LOOP_BUDGET_S = 10.0  # the longest one plain-loop run may take before it is scaled
LOOP_PROBE_LENGTH = 1000
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"

# aims for the required ratios: (name, baseline) -> (comparison, bound)
AIMS: dict[tuple[str, str], tuple[str, float]] = {
    ("fft_path", "fft_floor"): ("≤", 3.0),
    ("fft_fwd_bwd", "fft_floor_fwd_bwd"): ("≤", 3.0),
    ("scan_path", "flop_floor"): ("≤", 10.0),
    ("lfilter", "fft_path"): ("≥", 10.0),
}
MATMUL_SIZE = 1024
FORWARD_FLOPS = 14  # real flops per sequence, step and mode (module docstring)
BACKWARD_FLOPS = 30


class CompileCounter:
    """Counts XLA backend compilations, through JAX's public monitoring hook."""

    def __init__(self) -> None:
        self.count = 0
        jax.monitoring.register_event_duration_secs_listener(self._listen)

    def _listen(self, event: str, duration: float, **_: object) -> None:
        if event == COMPILE_EVENT:
            self.count += 1


def best_times(
    benchmarks: dict[str, Callable[[], object]], repeats: int, compiles: CompileCounter
) -> tuple[dict[str, float], dict[str, int]]:
    """Best wall time of each benchmark over ``repeats`` calls after one untimed warm-up call.

    The warm-up absorbs JIT compilation; every call is forced to completion with
    ``jax.block_until_ready`` (a no-op on NumPy results). The timed calls are interleaved,
    one of each benchmark per round, so that a drift in machine speed (common on shared
    virtual machines) affects all of them alike rather than biasing the ratios.

    Returns:
        best seconds and number of compilations during the timed calls, by name.
    """
    for fn in benchmarks.values():
        jax.block_until_ready(fn())
    best = dict.fromkeys(benchmarks, math.inf)
    compiled = dict.fromkeys(benchmarks, 0)
    for _ in range(repeats):
        for name, fn in benchmarks.items():
            before = compiles.count
            start = time.perf_counter()
            jax.block_until_ready(fn())
            best[name] = min(best[name], time.perf_counter() - start)
            compiled[name] += compiles.count - before
    return best, compiled


def make_model(width: int, seed: int) -> LinearRNN:
    """The diagonal complex RNN described in the module docstring."""
    rng = np.random.default_rng(seed)
    eigenvalues = -np.logspace(-3.0, 0.0, width) + 1j * rng.uniform(-np.pi, np.pi, width) / DT
    U = rng.standard_normal(width) + 1j * rng.standard_normal(width)
    c = (rng.standard_normal(width) + 1j * rng.standard_normal(width)) / np.sqrt(width)
    return LinearRNN(eigenvalues, U, c)


def lfilter_outputs(model: LinearRNN, x: np.ndarray, dt: float) -> np.ndarray:
    """y_k = Σ_i Σ_j Re(g_i a_i^j) x_{k−j}, one real second-order ``lfilter`` per mode.

    With A = e^{WΔ} and g = c ⊙ B, mode i and its conjugate contribute
    (g/(1 − a z⁻¹) + ḡ/(1 − ā z⁻¹))/2 = (Re g − Re(g ā) z⁻¹)/(1 − 2 Re a z⁻¹ + |a|² z⁻²).
    """
    A, B = model.discretize(dt)
    gains = model.c * B[:, 0]
    y = np.zeros(x.shape)
    for a, g in zip(A, gains, strict=True):
        numerator = [g.real, -(g * np.conj(a)).real]
        denominator = [1.0, -2.0 * a.real, abs(a) ** 2]
        y += scipy.signal.lfilter(numerator, denominator, x, axis=-1)
    return y


def relative_error(y: object, reference: object) -> float:
    """max |y − reference| / max |reference|."""
    y, reference = np.asarray(y), np.asarray(reference)
    return float(np.max(np.abs(y - reference)) / np.max(np.abs(reference)))


def fft_outputs(log_a: jax.Array, B: jax.Array, c: jax.Array, x: jax.Array) -> jax.Array:
    """The FFT path as a function of θ = (λΔ, B, c): convolution with the modal grid kernel."""
    weights = modal_grid_kernel(log_a, c[:, None] * B, x.shape[-1])[:, 0]
    return causal_convolution(weights, x)


def blocked_scan_outputs(log_a: jax.Array, B: jax.Array, c: jax.Array, x: jax.Array) -> jax.Array:
    """The scan path as a function of θ = (λΔ, B, c)."""
    return scan_outputs(jnp.exp(log_a), B, c, x[..., None])


def value_and_gradient(outputs: Callable[..., jax.Array]) -> Callable[..., object]:
    """θ, x, z ↦ (mean((y − z)²), its gradient in θ), jitted, for y = outputs(*θ, x)."""

    def loss(theta: tuple[jax.Array, ...], x: jax.Array, target: jax.Array) -> jax.Array:
        return jnp.mean((outputs(*theta, x) - target) ** 2)

    return jax.jit(jax.value_and_grad(loss))


def matmul_rate(compiles: CompileCounter, repeats: int) -> tuple[float, float]:
    """(seconds, flops per second) of the best jitted 1024×1024 float64 matrix product."""
    rng = np.random.default_rng(SEED + 3)
    left, right = (jnp.asarray(rng.standard_normal((MATMUL_SIZE, MATMUL_SIZE))) for _ in "lr")
    product = jax.jit(jnp.matmul)
    times, _ = best_times({"matmul": lambda: product(left, right)}, repeats, compiles)
    return times["matmul"], 2 * MATMUL_SIZE**3 / times["matmul"]


def plain_loop_length(model: LinearRNN, x: np.ndarray, requested: int | None) -> int:
    """Steps to time the NumPy loop on: ``requested``, else the full length if one run
    fits in LOOP_BUDGET_S (estimated from a short probe), else the prefix that does."""
    length = x.shape[-1]
    if requested is not None:
        return min(requested, length)
    probe = min(LOOP_PROBE_LENGTH, length)
    start = time.perf_counter()
    model.outputs(x[:, :probe], DT, method="recurrence")
    per_step = (time.perf_counter() - start) / probe
    return max(probe, min(length, int(LOOP_BUDGET_S / per_step)))


def run(
    batch: int, length: int, width: int, repeats: int, loop_length: int | None
) -> tuple[list[Row], list[str], bool]:
    """Measure everything; return the table rows, notes, and whether all outputs agree."""
    compiles = CompileCounter()
    model = make_model(width, SEED)
    rng = np.random.default_rng(SEED + 1)
    x = rng.standard_normal((batch, length))
    size = fft_length(length)
    kernel = jnp.asarray(model.grid_kernel(DT, length))
    x_device, target = jnp.asarray(x), jnp.asarray(rng.standard_normal((batch, length)))
    steps = plain_loop_length(model, x, loop_length)
    prefix = x[:, :steps]
    rfft = jax.jit(partial(jnp.fft.rfft, n=size))
    irfft = jax.jit(partial(jnp.fft.irfft, n=size))
    product = jax.block_until_ready(rfft(x_device) * rfft(kernel))
    copy_bytes = 2 * x.nbytes  # input + output, both float64 of shape (batch, length)
    source = np.random.default_rng(SEED + 2).standard_normal(2 * x.size)
    target_buffer = np.empty_like(source)
    _, B = model.discretize(DT)
    theta = (jnp.asarray(model.W * DT), jnp.asarray(B), jnp.asarray(model.c))  # A = e^{λΔ}
    fft_gradient = value_and_gradient(fft_outputs)
    scan_gradient = value_and_gradient(blocked_scan_outputs)

    benchmarks: dict[str, Callable[[], object]] = {
        # 1. the FFT path, and its two parts
        "fft_path": lambda: model.outputs(x, DT, method="fft"),
        "grid_kernel": lambda: model.grid_kernel(DT, length),
        "convolution": lambda: causal_convolution(kernel, x_device),
        # 2. the scan path
        "scan_path": lambda: model.outputs(x, DT, method="scan"),
        # 3. the plain NumPy loop, on a prefix if the full length would take too long
        "plain_loop": lambda: model.outputs(prefix, DT, method="recurrence"),
        # 4. scipy.signal.lfilter
        "lfilter": lambda: lfilter_outputs(model, x, DT),
        # 5. forward + backward
        "fft_fwd_bwd": lambda: fft_gradient(theta, x_device, target),
        "scan_fwd_bwd": lambda: scan_gradient(theta, x_device, target),
        # 6. floors: real FFTs of the padded size, and a memory copy
        "floor_rfft_x": lambda: rfft(x_device),
        "floor_rfft_kernel": lambda: rfft(kernel),
        "floor_irfft": lambda: irfft(product),
        "floor_irfft_kernel": lambda: irfft(product[0]),
        "memcopy": lambda: np.copyto(target_buffer, source),
    }
    times, recompiled = best_times(benchmarks, repeats, compiles)
    times["matmul"], rate = matmul_rate(compiles, repeats)
    times["plain_loop"] *= length / steps
    times["fft_floor"] = times["floor_rfft_x"] + times["floor_rfft_kernel"] + times["floor_irfft"]
    # the gradient adds the rfft of the cotangent (shaped like x) and one irfft for the kernel
    times["fft_floor_fwd_bwd"] = (
        times["fft_floor"] + times["floor_rfft_x"] + times["floor_irfft_kernel"]
    )
    work = batch * length * width
    times["flop_floor"] = FORWARD_FLOPS * work / rate
    times["flop_floor_fwd_bwd"] = (FORWARD_FLOPS + BACKWARD_FLOPS) * work / rate

    # agreement with the FFT path (outputs are causal, so the loop's prefix is comparable)
    reference = model.outputs(x, DT, method="fft")
    _, fft_grads = fft_gradient(theta, x_device, target)
    _, scan_grads = scan_gradient(theta, x_device, target)
    errors = {
        "scan_path": relative_error(model.outputs(x, DT, method="scan"), reference),
        "plain_loop": relative_error(
            model.outputs(prefix, DT, method="recurrence"), reference[:, :steps]
        ),
        "lfilter": relative_error(lfilter_outputs(model, x, DT), reference),
        "scan_fwd_bwd": max(
            relative_error(from_scan, from_fft)
            for from_scan, from_fft in zip(scan_grads, fft_grads, strict=True)
        ),
    }

    row = partial(Row.from_times, times)
    rows = [
        row("fft_path", "fft_floor", "x_floor"),
        row("fft_path", "memcopy", "x_floor"),
        row("grid_kernel"),
        row("convolution", "fft_floor", "x_floor"),
        row("scan_path", "flop_floor", "x_floor"),
        row("scan_path", "fft_path", "speedup"),
        row("plain_loop", "fft_path", "speedup", seqmem="baseline"),
        row("plain_loop", "scan_path", "speedup", seqmem="baseline"),
        row("lfilter", "fft_path", "speedup", seqmem="baseline"),
        row("fft_fwd_bwd", "fft_floor_fwd_bwd", "x_floor"),
        row("fft_fwd_bwd", "fft_path", "x_floor"),
        row("scan_fwd_bwd", "flop_floor_fwd_bwd", "x_floor"),
        row("scan_fwd_bwd", "fft_fwd_bwd", "speedup"),
        row("floor_rfft_x"),
        row("floor_rfft_kernel"),
        row("floor_irfft"),
        row("floor_irfft_kernel"),
        row("fft_floor"),
        row("fft_floor_fwd_bwd"),
        row("matmul"),
        row("flop_floor"),
        row("flop_floor_fwd_bwd"),
        row("memcopy"),
    ]

    notes = [
        f"batch {batch}, length {length}, width m = {width}, Δ = {DT}, FFT size {size}, "
        f"best of {repeats} after a warm-up; {os.cpu_count()} CPU cores, JAX {jax.__version__} "
        f"on {jax.devices()[0].platform}",
        f"grid_kernel: {times['grid_kernel'] / times['fft_path']:.0%} of fft_path's time",
        f"memcopy: {copy_bytes / 1e6:.1f} MB (input + output) in {times['memcopy']:.4f} s = "
        f"{copy_bytes / times['memcopy'] / 1e9:.2f} GB/s copied (read + write traffic twice that)",
        f"matmul: {rate / 1e9:.1f} GFLOP/s (float64, {MATMUL_SIZE}×{MATMUL_SIZE}); recurrence "
        f"work {FORWARD_FLOPS * work / 1e9:.2f} GFLOP forward, "
        f"{(FORWARD_FLOPS + BACKWARD_FLOPS) * work / 1e9:.2f} GFLOP forward + backward",
    ]
    if steps < length:
        notes.append(
            f"plain_loop: timed on the first {steps} of {length} steps and scaled linearly "
            f"(×{length / steps:.2f})"
        )
    for name, error in errors.items():
        verdict = "ok" if error <= AGREEMENT_TOLERANCE else "MISMATCH"
        notes.append(
            f"agreement {name} vs the FFT path: max|Δ|/max|reference| = {error:.2e} "
            f"(tolerance {AGREEMENT_TOLERANCE:.0e}, {verdict})"
        )
    repeat_offenders = {name: n for name, n in recompiled.items() if n}
    notes.append(
        "compilations during timed calls: "
        + (", ".join(f"{name} {n}" for name, n in repeat_offenders.items()) or "none")
    )
    agree = all(error <= AGREEMENT_TOLERANCE for error in errors.values())
    return rows, notes, agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=positive_count, default=100_000, help="time steps (1e5)")
    parser.add_argument("--batch", type=positive_count, default=32, help="sequences (32)")
    parser.add_argument("--width", type=positive_count, default=64, help="hidden units m (64)")
    parser.add_argument(
        "--repeats", type=positive_count, default=10, help="timed calls per method (10)"
    )
    parser.add_argument(
        "--loop-length",
        type=positive_count,
        default=None,
        help="steps to time the NumPy loop on, scaled to --length "
        f"(default: all, or fewer if one run exceeds {LOOP_BUDGET_S:g} s)",
    )
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)

    rows, notes, agree = run(args.batch, args.length, args.width, args.repeats, args.loop_length)
    emit(rows, notes, args.json, format_table(rows, {"aim": aim_column(AIMS)}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
