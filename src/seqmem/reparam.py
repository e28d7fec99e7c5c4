"""Named parameterisations of the decay rates w > 0 of a recurrent model.

A trainer updates an unconstrained raw parameter v and the model uses w = f(v). The choice
of f changes the training dynamics (the gradient in v is f'(v)·∂J/∂w), not the model:

- ``direct``: w = max(v, floor). Plain gradient descent on the rates themselves; the floor
  keeps the model stable (a rate pushed below it stops there and gets no gradient).
- ``exp``: w = e^v. Scale-free steps: a rate near 0 moves by relative amounts, as in the
  gradient flow of ICLR 2021 §5 run in this package on (a, log w).
- ``softplus``: w = log(1 + e^v). Like ``direct`` for large rates and like ``exp`` near 0.

Each parameterisation maps both ways, so an initial rate w₀ becomes v₀ = f⁻¹(w₀).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from seqmem._jax import jax, jnp
from seqmem.errors import SeqmemValueError

#: the smallest rate the ``direct`` parameterisation allows
DIRECT_FLOOR = 1e-6


@dataclass(frozen=True)
class Parameterisation:
    """w = ``to_rate(v)`` and its inverse v = ``from_rate(w)`` (both elementwise, in JAX)."""

    name: str
    to_rate: Callable[[jax.Array], jax.Array]
    from_rate: Callable[[jax.Array], jax.Array]
    description: str


def _softplus_inverse(w: jax.Array) -> jax.Array:
    # log(e^w − 1) = w + log(1 − e^{−w}), stable for large and small w
    return w + jnp.log(-jnp.expm1(-w))


PARAMETERISATIONS: dict[str, Parameterisation] = {
    p.name: p
    for p in (
        Parameterisation(
            "direct",
            lambda v: jnp.maximum(v, DIRECT_FLOOR),
            lambda w: jnp.asarray(w, dtype=float),
            f"w = max(v, {DIRECT_FLOOR:g})",
        ),
        Parameterisation("exp", jnp.exp, lambda w: jnp.log(jnp.asarray(w, dtype=float)), "w = e^v"),
        Parameterisation(
            "softplus",
            jax.nn.softplus,
            lambda w: _softplus_inverse(jnp.asarray(w, dtype=float)),
            "w = log(1 + e^v)",
        ),
    )
}


def parameterisation(name: str) -> Parameterisation:
    """The parameterisation called ``name`` (one of ``PARAMETERISATIONS``).

    Example:
        >>> p = parameterisation("softplus")
        >>> float(p.to_rate(p.from_rate(2.5)))
        2.5
    """
    if name not in PARAMETERISATIONS:
        raise SeqmemValueError(
            f"unknown rate parameterisation {name!r}; choose one of {', '.join(PARAMETERISATIONS)}"
        )
    return PARAMETERISATIONS[name]
