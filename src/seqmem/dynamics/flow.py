"""Gradient flow on the population loss, integrated by a stiff adaptive solver (LSODA).

dθ/dτ = −∇_θ J(θ), θ = (a, v) with decay rates w = e^v (so the model stays stable), and
∂J/∂v_i = w_i ∂J/∂w_i. Integrating the flow, rather than iterating gradient descent,
measures training time τ without a learning-rate confound (ICLR 2021, §5: the plateau
length is a property of the flow). The loss is recorded at log-spaced flow times.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.integrate

from seqmem._jax import jax, jnp
from seqmem.dynamics.loss import JaxTarget, jax_population_loss, population_loss
from seqmem.errors import SeqmemValueError, check_finite_array, check_integer, check_positive
from seqmem.kernels import Kernel


@dataclass(frozen=True)
class FlowTrajectory:
    """Loss and parameters along the flow, at the recorded flow times.

    Attributes:
        times: flow times τ, shape (n,).
        loss: J(θ(τ)), shape (n,).
        weights: a(τ), shape (n, m).
        rates: w(τ), shape (n, m).
        sine_weights, frequencies: b(τ) and ν(τ), shape (n, m), for oscillating modes
            e^{−wt}(a cos νt + b sin νt); None for real ones.
        message: how the run ended: "reached the final time", "stopped at τ = …" (by
            ``stop``) or "the solver failed in τ ∈ […]" (the trajectory up to there is kept).
    """

    times: np.ndarray
    loss: np.ndarray
    weights: np.ndarray
    rates: np.ndarray
    message: str
    sine_weights: np.ndarray | None = None
    frequencies: np.ndarray | None = None


def gradient_flow(
    kernel: Kernel,
    weights: object,
    rates: object,
    *,
    final_time: float = 1e8,
    per_decade: int = 1000,
    rtol: float = 1e-8,
    stop: Callable[[np.ndarray, np.ndarray], bool] | None = None,
    oscillating: tuple[object, object] | None = None,
) -> FlowTrajectory:
    """Integrate dθ/dτ = −∇J from (a, w) to τ = ``final_time`` with LSODA.

    Args:
        kernel: the target ρ.
        weights: initial a, shape (m,).
        rates: initial w > 0, shape (m,).
        final_time: the last flow time.
        per_decade: recording times per decade of flow time, log-spaced in
            [1e-3, final_time] (plus τ = 0); escapes are abrupt (a rate moves to O(1/t₀) in a
            fraction of a percent of the plateau), so plateau studies want them dense.
        rtol: the solver's relative tolerance (absolute 1e-12).
        stop: called with (times, losses) so far after every decade of flow time; True
            ends the run there.
        oscillating: initial (b, ν) for modes e^{−wt}(a cos νt + b sin νt), or None for
            real modes e^{−wt}; the flow then runs on θ = (a, log w, b, ν).
    """
    weights = check_finite_array("weights", weights, owner="gradient_flow")
    rates = check_finite_array("rates", rates, owner="gradient_flow")
    final_time = check_positive("final_time", final_time, owner="gradient_flow")
    population_loss(kernel, weights, rates)  # validates shapes and rates > 0
    m = weights.size

    state = np.concatenate([weights, np.log(rates)])
    if oscillating is not None:
        extra = [
            check_finite_array(n, v, owner="gradient_flow")
            for n, v in zip(("sine_weights", "frequencies"), oscillating, strict=True)
        ]
        if any(v.shape != weights.shape for v in extra):
            raise SeqmemValueError(
                "gradient_flow: the oscillating (b, ν) must have the shape of the weights"
            )
        state = np.concatenate([state, *extra])
    target = JaxTarget.of(kernel)

    def velocity(_, theta):
        return -np.asarray(_flow_gradient(theta, target, m))

    def losses(y: np.ndarray) -> np.ndarray:
        return np.asarray(_batched_flow_loss(y.T, target, m))

    per_decade = check_integer("per_decade", per_decade, owner="gradient_flow", minimum=1)
    first = min(1e-3, final_time)
    samples = max(2, int(per_decade * np.log10(final_time / first)) + 1)
    times = np.concatenate([[0.0], np.geomspace(first, final_time, samples)])
    # one decade of flow time at a time, so that ``stop`` can end the run early (after an
    # escape the fast modes may merge, the flow stiffens and the solver slows to a crawl)
    edges = np.unique(
        np.concatenate([[0.0], 10.0 ** np.arange(-3, 1 + np.log10(final_time)), [final_time]])
    )
    edges = edges[edges <= final_time]
    recorded_t, recorded_y, recorded_loss, message = [], [], [], "reached the final time"
    solver_warnings: list[str] = []
    for lo, hi in itertools.pairwise(edges):
        inside = times[(times > lo) & (times < hi)]
        inside = np.concatenate([[lo] if lo == 0 else [], inside, [hi]])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            solution = scipy.integrate.solve_ivp(
                velocity, (lo, hi), state, method="LSODA", t_eval=inside, rtol=rtol, atol=1e-12
            )
        solver_warnings.extend(f"{str(w.message).strip()} (τ ∈ [{lo:g}, {hi:g}])" for w in caught)
        if solution.status < 0:
            if not recorded_t:
                raise SeqmemValueError(f"gradient flow failed at τ ≈ {lo:g}: {solution.message}")
            # keep what was integrated (an escape already seen stays measurable) and say why
            # the run ended early
            message = f"the solver failed in τ ∈ [{lo:g}, {hi:g}]: {solution.message}"
            break
        recorded_t.append(solution.t)
        recorded_y.append(solution.y)
        recorded_loss.append(losses(solution.y))
        state = solution.y[:, -1]
        if stop is not None and stop(np.concatenate(recorded_t), np.concatenate(recorded_loss)):
            message = f"stopped at τ = {hi:g}"
            break
    solution_t = np.concatenate(recorded_t)
    solution_y = np.concatenate(recorded_y, axis=1)

    if solver_warnings:
        # LSODA warns when modes merge after an escape; the run goes on, but say so
        message += "; the solver warned: " + solver_warnings[0]
    oscillating_parts = (
        {}
        if oscillating is None
        else {"sine_weights": solution_y[2 * m : 3 * m].T, "frequencies": solution_y[3 * m :].T}
    )
    return FlowTrajectory(
        times=solution_t,
        loss=np.concatenate(recorded_loss),
        weights=solution_y[:m].T,
        rates=np.exp(solution_y[m : 2 * m]).T,
        message=message,
        **oscillating_parts,
    )


def _loss_of_state(theta: jax.Array, target: JaxTarget, width: int) -> jax.Array:
    """J at the flow's state θ = (a, v[, b, ν]), w = e^v, each part of length ``width``."""
    parts = [theta[k * width : (k + 1) * width] for k in range(theta.shape[0] // width)]
    parts[1] = jnp.exp(parts[1])
    return jax_population_loss(target, *parts)


# Module-level and taking the target as an argument, so that one compilation per shape and
# target structure serves every flow (a sweep over memories compiles once).
_flow_gradient = jax.jit(jax.grad(_loss_of_state), static_argnums=2)
# jitted: a decade's records (a few distinct counts) compile once each, where the eager
# vmap compiled each of its ~35 primitives separately (~1 s per process)
_batched_flow_loss = jax.jit(jax.vmap(_loss_of_state, in_axes=(0, None, None)), static_argnums=2)
