"""Test hygiene: float64 JAX, warnings as errors (pyproject), deterministic hypothesis."""

import os

import pytest
from hypothesis import HealthCheck, settings

import seqmem  # noqa: F401  (enables JAX x64 before any test creates an array)
from seqmem._jax import jnp

settings.register_profile(
    "default",
    deadline=None,  # JIT compilation makes the first example slow
    derandomize=True,  # the same examples on every run and machine
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("SEQMEM_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def _float64_everywhere():
    assert jnp.zeros(1).dtype == jnp.float64, "JAX x64 must be enabled by importing seqmem"
