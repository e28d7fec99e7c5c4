"""The GPU path: the same code on a GPU through JAX, skipped when JAX sees no GPU.

Run on a machine with an NVIDIA GPU after installing JAX's CUDA build into the environment
(``pip install "jax[cuda12]==<the pinned version>"``) and select them with ``pytest -m gpu``
(the default run deselects the ``gpu`` marker). The CPU wheel of the default install has no
GPU backend, and these tests then report as skipped.
"""

import numpy as np
import pytest

from seqmem import LinearRNN
from seqmem._jax import jax
from seqmem.dynamics.train import train
from seqmem.kernels import from_spec


def _gpus() -> list:
    try:
        return jax.devices("gpu")
    except RuntimeError:  # no GPU backend in this JAX installation, or no device
        return []


GPUS = _gpus()
# selected with ``pytest -m gpu``; skipped, not failed, where JAX sees no GPU
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not GPUS, reason="JAX sees no GPU")]


def _on(device, function):
    with jax.default_device(device):
        return function()


def test_fft_and_scan_outputs_on_the_gpu_equal_the_cpu_recurrence():
    # float64 on the GPU too (x64 is on): the paths agree with the NumPy loop as on the CPU
    rng = np.random.default_rng(0)
    eigenvalues = -np.geomspace(1e-3, 1.0, 16) + 1j * rng.uniform(-3, 3, 16)
    model = LinearRNN(eigenvalues, rng.normal(size=16) + 0j, rng.normal(size=16) + 0j)
    x = rng.normal(size=(4, 5000))
    reference = model.outputs(x, 0.5, method="recurrence")
    for method in ("fft", "scan"):
        y = _on(GPUS[0], lambda method=method: model.outputs(x, 0.5, method=method))
        assert np.max(np.abs(y - reference)) <= 1e-10 * np.max(np.abs(reference))


def test_training_on_the_gpu_follows_the_cpu_trajectory():
    # one jitted GD loop on each device: the same float64 arithmetic up to rounding
    kernel = from_spec("exp(rate=3)+gammabump(k=4)")

    def run():
        return train(kernel, 4, optimizer="gd", learning_rate=0.05, steps=4000)

    on_gpu, on_cpu = _on(GPUS[0], run), _on(jax.devices("cpu")[0], run)
    assert np.allclose(on_gpu.loss, on_cpu.loss, rtol=1e-9, atol=0)
