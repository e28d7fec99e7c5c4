"""JAX, configured for the science: float64 everywhere, set before any array exists."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (x64 must be on before jax.numpy creates arrays)

__all__ = ["jax", "jnp"]
