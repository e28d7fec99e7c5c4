"""Test hygiene: float64 JAX, warnings as errors (pyproject), deterministic hypothesis."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import seqmem  # noqa: F401  (enables JAX x64 before any test creates an array)
from seqmem._jax import jnp

settings.register_profile(
    "default",
    deadline=None,  # JIT compilation makes the first example slow
    derandomize=True,  # the same examples on every run and machine
    # half hypothesis's 100 keeps the default run within its time budget (each new array
    # shape of the JAX paths compiles); SEQMEM_HYPOTHESIS_PROFILE=thorough runs 500
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("SEQMEM_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def _float64_everywhere():
    assert jnp.zeros(1).dtype == jnp.float64, "JAX x64 must be enabled by importing seqmem"


def _largest_intermediate(closed_jaxpr) -> int:
    """The most elements of any array computed anywhere in a jaxpr, sub-jaxprs included."""
    largest, stack = 0, [closed_jaxpr.jaxpr]
    while stack:
        jaxpr = stack.pop()
        for equation in jaxpr.eqns:
            for var in equation.outvars:
                largest = max(largest, int(np.prod(var.aval.shape)))
            for value in equation.params.values():
                for inner in value if isinstance(value, tuple | list) else (value,):
                    if hasattr(inner, "eqns"):
                        stack.append(inner)
                    elif hasattr(inner, "jaxpr") and hasattr(inner.jaxpr, "eqns"):
                        stack.append(inner.jaxpr)
    return largest


@pytest.fixture(scope="session")
def smoke(tmp_path_factory):
    """The smoke plan reproduced once, on two worker processes: (folder, Reproduction)."""
    from seqmem.reproduce import reproduce

    out = tmp_path_factory.mktemp("report")
    return out, reproduce(out, mode="smoke", workers=2, progress=False)


@pytest.fixture
def largest_intermediate():
    """Measures what a traced computation materialises (for 'no (batch, length, m) array')."""
    return _largest_intermediate
