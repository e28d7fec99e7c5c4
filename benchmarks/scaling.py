"""Benchmark: how the sampled-data training step of a linear RNN scales with length and width.

Run ``python benchmarks/scaling.py`` (``--help`` for the flags). The timed step is what
``seqmem.dynamics.train(..., loss="sampled")`` does for a linear model: materialise the model's
grid kernel K̂_j = Σ_i a_i e^{−w_i jΔ}(1 − e^{−w_iΔ})/w_i (``diagonal_grid_kernel``), convolve
a batch of inputs with it by FFT (``causal_convolution``), take the mean squared output, and
differentiate with respect to (a, w) — one jitted ``value_and_grad``. Two sweeps:

1. length L = 10³ … 10⁶ at width m = 64, batch 8;
2. width m = 4 … 1024 at L = 10⁵, batch 8.

At every point the same step is also timed through the scan path (``seqmem.rnn.scan_outputs``:
blocks of 256 steps in closed form, O(L·m) work), the row ``scan_fwd_bwd_…`` with the FFT
step as its baseline, which shows where each path is the faster one: its kind is
``speedup`` (see ``harness.py``), the FFT step's seconds over the scan's, the speed-up of
the scan path over the FFT path that ``train`` takes (< 1 where the FFT path is faster).

Each point is the best of ``--repeats`` calls after a compiling warm-up. The baseline of
each FFT row is the FFT floor measured in the same process: three real FFTs of the padded size
(forward of x and of the kernel, inverse of the product) on the same batch; its kind is
``x_floor``, the step's seconds over the floor's, how far the whole forward+backward step is
from the transforms it cannot avoid. The peak resident memory of the process is printed
at the end (the kernel costs an (m, L) array; no (batch, L, m) array is formed).

With ``--json`` stdout holds only the JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; the notes go to stderr.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
from harness import Row, emit

from seqmem._jax import jax, jnp
from seqmem.dynamics.sampled import diagonal_grid_kernel
from seqmem.functional import causal_convolution, fft_length
from seqmem.rnn import scan_outputs

DT = 0.1


def _best(function, repeats: int) -> float:
    jax.block_until_ready(function())  # compile
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        jax.block_until_ready(function())
        times.append(time.perf_counter() - started)
    return min(times)


def _step_and_floor(
    length: int, width: int, batch: int, repeats: int
) -> tuple[float, float, float]:
    """Seconds of the FFT step, of the FFT floor and of the scan step, at one point."""
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, length)) / np.sqrt(DT))
    weights = jnp.asarray(rng.standard_normal(width) / width)
    rates = jnp.asarray(np.geomspace(1e-3, 1.0, width))

    def fft_outputs(a, w, x):
        return causal_convolution(diagonal_grid_kernel(a, w, DT, length), x)

    def blocked_scan_outputs(a, w, x):
        gains = -jnp.expm1(-w * DT) / w  # B of the zero-order hold, as in diagonal_grid_kernel
        return scan_outputs(jnp.exp(-w * DT), gains[:, None], a, x[..., None])

    def value_and_grad(outputs):
        loss = lambda a, w, x: jnp.mean(outputs(a, w, x) ** 2)  # noqa: E731
        return jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))

    size = fft_length(length)

    @jax.jit
    def floor(x, kernel):
        spectrum = jnp.fft.rfft(x, n=size) * jnp.fft.rfft(kernel, n=size)
        return jnp.fft.irfft(spectrum, n=size)

    kernel = jnp.asarray(rng.standard_normal(length))
    fft_step, scan_step = value_and_grad(fft_outputs), value_and_grad(blocked_scan_outputs)
    return (
        _best(lambda: fft_step(weights, rates, x), repeats),
        _best(lambda: floor(x, kernel), repeats),
        _best(lambda: scan_step(weights, rates, x), repeats),
    )


def run(batch: int, repeats: int, max_length: int) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    lengths = [n for n in (10**3, 10**4, 10**5, 10**6) if n <= max_length]
    points = [(length, 64) for length in lengths] + [(10**5, m) for m in (4, 16, 256, 1024)]
    for length, width in sorted(points, key=lambda point: point[::-1]):
        step, floor, scan = _step_and_floor(length, width, batch, repeats)
        name = f"fwd_bwd_L{length:.0e}_m{width}"
        rows.append(Row(name, step, f"fft_floor_L{length:.0e}", floor, "x_floor"))
        rows.append(Row(f"scan_{name}", scan, name, step, "speedup"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    notes.append(f"batch {batch}; peak resident memory of this process {peak:.2f} GiB")
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=10**6)
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)
    rows, notes = run(args.batch, args.repeats, args.max_length)
    emit(rows, notes, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
