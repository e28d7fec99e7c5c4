"""The optimisation loop shared by every trainer: one jitted ``lax.scan`` of optax steps.

:func:`optimise` runs ``blocks × record_every`` steps of gradient descent, momentum, Adam or
any optax transformation on an objective θ, key ↦ loss, recording the parameters and the
loss at every block: an outer scan over the blocks, an inner loop over a block's steps.
The objective is a hashable strategy (a frozen dataclass:
:class:`~seqmem.dynamics.train.PopulationObjective`,
:class:`~seqmem.dynamics.train.SampledObjective`) called as objective(data, θ, key), and its
numbers (the target's Laplace transform, the data) are a pytree ``data`` traced as an
argument, so runs that differ only in numbers share one compilation. A loss that turns NaN
or infinite stops nothing inside the loop (it cannot); the first such step is tracked and
reported as an error afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import optax

from seqmem._jax import jax, jnp
from seqmem.errors import SeqmemValueError, check_integer, check_positive

#: heavy-ball coefficient β of "momentum": a step η moves like gradient descent with η/(1 − β)
MOMENTUM = 0.9
#: optimiser name → optax constructor of the learning rate
OPTIMIZERS: dict[str, Callable[[float], optax.GradientTransformation]] = {
    "gd": optax.sgd,
    "momentum": lambda lr: optax.sgd(lr, momentum=MOMENTUM),
    "adam": optax.adam,
}


#: learning-rate schedule name → optax schedule of (peak rate, total steps)
SCHEDULES: dict[str, Callable[[float, int], optax.Schedule]] = {
    "constant": lambda rate, steps: optax.constant_schedule(rate),
    "cosine": lambda rate, steps: optax.cosine_decay_schedule(rate, steps),
}

Optimizer = str | optax.GradientTransformation


def resolve_optimizer(
    optimizer: Optimizer,
    learning_rate: float | optax.Schedule | None,
    schedule: str,
    steps: int,
    *,
    owner: str,
) -> tuple[Optimizer, float]:
    """(the optimiser a loop compiles, its traced learning rate) from what a user passed.

    - an optax ``GradientTransformation`` (AdamW, a chain with clipping, anything): used as
      it is; its rate lives inside it, so ``learning_rate`` must be None.
    - a name of ``OPTIMIZERS`` with a constant rate: the name and the rate, traced, so that
      runs at other rates share one compilation;
    - a name with an optax schedule (a callable of the step count), or with ``schedule``
      = "cosine" (η_k = η (1 + cos(πk/steps))/2, optax's cosine decay to 0 at ``steps``):
      the optax transformation built with it.
    """
    if isinstance(optimizer, optax.GradientTransformation):
        if learning_rate is not None:
            raise SeqmemValueError(
                f"{owner}: an optax optimiser carries its own learning rate; pass "
                f"learning_rate=None (got {learning_rate!r})"
            )
        if schedule != "constant":
            raise SeqmemValueError(
                f"{owner}: build the schedule into the optax optimiser (got schedule={schedule!r})"
            )
        return optimizer, 0.0
    if optimizer not in OPTIMIZERS:
        raise SeqmemValueError(
            f"the 'optimizer' of {owner} must be one of {', '.join(OPTIMIZERS)} or an optax "
            f"GradientTransformation; got {optimizer!r}"
        )
    if schedule not in SCHEDULES:
        raise SeqmemValueError(
            f"the 'schedule' of {owner} must be one of {', '.join(SCHEDULES)}; got {schedule!r}"
        )
    if callable(learning_rate):
        return OPTIMIZERS[optimizer](learning_rate), 0.0
    learning_rate = check_positive("learning_rate", learning_rate, owner=owner)
    if schedule == "constant":
        return optimizer, learning_rate
    return OPTIMIZERS[optimizer](SCHEDULES[schedule](learning_rate, steps)), 0.0


def transformation_of(
    optimizer: Optimizer, learning_rate: jax.Array
) -> optax.GradientTransformation:
    """The optax transformation of a resolved optimiser (inside a jitted loop)."""
    if isinstance(optimizer, str):
        return OPTIMIZERS[optimizer](learning_rate)
    return optimizer


def recording(steps: int, record_every: int | None, *, owner: str) -> tuple[int, int]:
    """(steps per record, number of records): about 1000 records unless told otherwise."""
    if record_every is None:
        record_every = max(1, steps // 1000)
    record_every = check_integer("record_every", record_every, owner=owner, minimum=1)
    return record_every, -(-steps // record_every)


def optimise(
    objective: Callable[[object, dict, jax.Array], jax.Array],
    data: object,
    params: dict,
    optimizer: Optimizer,
    learning_rate: float,
    *,
    blocks: int,
    record_every: int,
    seed: int,
    sampled: bool,
    owner: str,
) -> tuple[dict, jax.Array, float, dict]:
    """Run ``blocks × record_every`` steps of ``optimizer`` on objective(data, θ, key) in one
    jitted scan; record each block's start. ``optimizer`` and ``learning_rate`` are those of
    :func:`resolve_optimizer`.

    ``objective`` is static (hashable, e.g. a frozen dataclass) and ``data`` a pytree of
    arrays traced as an argument, as is the learning rate: a second run with an equal
    objective, data of the same structure and the same loop sizes reuses the compiled loop.

    Returns the parameters at each block start, the recorded losses (the loss at the block
    start; for ``sampled`` data the block's mean, which averages the batch noise), the final
    loss and the final parameters.

    Raises:
        SeqmemValueError: naming ``owner`` and the first step whose loss was NaN or infinite.
    """
    recorded, losses, final, first_bad, final_params = _optimisation_loop(
        objective,
        data,
        params,
        jnp.asarray(learning_rate, dtype=jnp.float64),
        jax.random.key(seed),
        jnp.int32(record_every),
        optimizer,
        blocks,
        sampled,
    )
    if first_bad >= 0:
        raise SeqmemValueError(
            f"{owner}: the loss diverged (NaN or inf) at step {first_bad}; lower the "
            f"learning rate{_rate_text(optimizer, learning_rate)}"
        )
    return recorded, losses, float(final), final_params


# The steps per block are a traced loop bound (a while loop), not a scan length: budgets
# that differ only in ``record_every`` (the plateau experiments quadruple theirs) share one
# compilation. Only the number of records fixes the shape of the outputs.
@partial(jax.jit, static_argnums=(0, 6, 7, 8))
def _optimisation_loop(
    objective, data, params, learning_rate, key, record_every, optimizer, blocks, sampled
):
    transformation = transformation_of(optimizer, learning_rate)
    value_and_grad = jax.value_and_grad(partial(objective, data))

    def one_step(i, carry):
        params, state, key, step, first_bad, first_value, total = carry
        # the population loss needs no noise: skip the key split (a third of a GD step)
        key, subkey = jax.random.split(key) if sampled else (key, key)
        value, grads = value_and_grad(params, subkey)
        updates, state = transformation.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        first_bad = jnp.where((first_bad < 0) & ~jnp.isfinite(value), step, first_bad)
        first_value = jnp.where(i == 0, value, first_value)
        return params, state, key, step + 1, first_bad, first_value, total + value

    def one_block(carry, _):
        start = carry[0]
        zero = jnp.zeros((), jnp.float64)
        carry = jax.lax.fori_loop(0, record_every, one_step, (*carry, zero, zero))
        *carry, first_value, total = carry
        return tuple(carry), (start, total / record_every if sampled else first_value)

    carry = (params, transformation.init(params), key, 0, -1)
    carry, (recorded, losses) = jax.lax.scan(one_block, carry, None, length=blocks)
    final_params, _, key, _, first_bad = carry
    final = losses[-1] if sampled else objective(data, final_params, key)
    return recorded, losses, final, first_bad, final_params


def _rate_text(optimizer: Optimizer, learning_rate: float) -> str:
    return f" (now {learning_rate:g})" if isinstance(optimizer, str) else ""
