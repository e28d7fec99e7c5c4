"""Every claim checked against a reproduction's data: the measurements picked out of the
experiments' data objects and handed to the verdicts."""

from __future__ import annotations

import math
from collections.abc import Mapping

from seqmem.claims import approximation, lorenz, plateaus, stalls
from seqmem.report import Claim


def paper_claims(data: Mapping[str, object]) -> list[Claim]:
    """Every claim, checked against the measurements in ``data`` (the experiments' data
    objects, keyed as :func:`seqmem.reproduce.reproduce` rebuilds them), in report order."""
    from seqmem.experiments.plateaus import REFERENCE_TEMPLATE, kernel_at

    curves = {c.kernel: c for c in data["error_curves"]}
    airy, slow = curves["airy(t0=2)"], curves["powerlaw(omega=0.5)"]
    jackson, needed = data["jackson"], data["width_needed"]
    claims = [
        approximation.universal_approximation(airy.widths, airy.l1_error, kernel=airy.kernel),
        approximation.jackson_rate(
            jackson.alphas,
            jackson.measured_exponent,
            jackson.expected_exponent,
            widths=jackson.widths,
        ),
        approximation.jackson_bound(
            jackson.bounded_error, jackson.bound, alphas=jackson.alphas, widths=jackson.widths
        ),
        approximation.curse_of_memory_width(
            needed.omegas, needed.jackson_width, needed.best_fit_fractional_width, eps=needed.eps
        ),
        approximation.power_law_slower(
            (slow.rate_fit or {"exponent": math.nan})["exponent"],
            (airy.rate_fit or {"exponent": math.nan})["exponent"],
        ),
        approximation.inverse_theorem(slow.slowest_rate, airy.slowest_rate, widths=slow.widths),
        approximation.hankel_floor(
            [e for c in curves.values() for e in c.l1_error],
            [s for c in curves.values() for s in c.hsv_floor],
            [c.hsv_first for c in curves.values() for _ in c.widths],
            kernels=list(curves),
        ),
    ]

    flat = data["no_plateau"]
    claims.append(
        plateaus.no_plateau(
            len(flat.run.plateaus), flat.run.loss[0], flat.run.final_loss, kernel=flat.kernel
        )
    )
    flow = data["plateau_flow"]
    reference = {
        "template": REFERENCE_TEMPLATE,
        "width": 4,
        "init_rates": [2.5, 3.5],
        "init_weight": 0.1,
    }
    claims.append(plateaus.plateau_level(flow.memory, flow.plateau_level, **reference))
    claims.append(plateaus.plateau_exponential(flow.memory, flow.plateau_length, **reference))
    claims.append(
        plateaus.plateau_mechanism(
            math.nan if flow.fit is None else flow.fit.slope,
            math.nan if flow.predicted_slope is None else flow.predicted_slope,
            **reference,
            memories=flow.memory,
        )
    )
    flow_length = {run.memory: run.escape.length for run in flow.runs if run.escape}
    for name, verdict in (("gd", plateaus.gd_flow_time), ("momentum", plateaus.momentum_flow_time)):
        sweep = data[f"plateau_{name}"]
        ratios = [
            run.escape.length * run.time_scale / flow_length[run.memory]
            if run.escape and run.memory in flow_length
            else None
            for run in sweep.runs
        ]
        claims.append(verdict(sweep.memory, ratios, learning_rate=sweep.learning_rate, **reference))
    adam = data["plateau_adam"]
    claims.append(
        plateaus.adam_smaller_exponent(
            adam.memory,
            adam.plateau_length,
            math.nan if flow.fit is None else flow.fit.slope,
            learning_rate=adam.learning_rate,
            **reference,
        )
    )
    claims.append(plateaus.escape_rate(flow.memory, flow.escape_rates, **reference))

    rows = data["stall"]
    bump = [r for r in rows if r.modes == "real" and "bump" in r.template]
    escaped = [r.label.kind.startswith("optimisation plateau (escaped") for r in bump]
    claims.append(
        stalls.bump_floor(
            [r.memory for r in bump],
            escaped,
            [r.label.final_loss for r in bump],
            [r.label.best_loss for r in bump],
            [kernel_at(r.template, r.memory).l2_norm_squared() for r in bump],
            template=bump[0].template,
        )
    )
    airy_rows = [r for r in rows if r.modes == "real" and r.template.startswith("airy")]
    claims.append(
        stalls.airy_plateau(
            [r.memory for r in airy_rows],
            [float(r.run.loss[0]) for r in airy_rows],
            [r.label.final_loss for r in airy_rows],
            [r.label.best_loss for r in airy_rows],
            template=airy_rows[0].template,
        )
    )
    for model in ("linear", "tanh"):
        sweeps = data[f"sampled_{model}"]
        claims.append(
            plateaus.sampled_growth(
                model,
                [t0 for s in sweeps for t0 in s.memory],
                [v for s in sweeps for v in s.plateau_length],
                budget=float(data["sampled_budget"]),
                seeds=len(sweeps),
                template=REFERENCE_TEMPLATE,
            )
        )

    runs = sorted(data["lorenz"], key=lambda r: (r.model, r.read_out))
    ring = {"sites": 40, "forcing": 0.7, "sigma": 0.5, "dt": 0.1, "rk4_step": 0.05}
    linear = [r for r in runs if r.model == "linear"]
    claims.append(
        lorenz.lorenz_memory(
            [r.read_out for r in linear], [r.memory_centroid for r in linear], **ring
        )
    )
    claims.append(
        lorenz.lorenz_nonlinear(
            [r.read_out for r in linear],
            [r.linear_response_unexplained for r in linear],
            **ring,
        )
    )
    for model in ("linear", "tanh"):
        mine = [r for r in runs if r.model == model]
        if len(mine) < 2:
            continue
        claims.append(
            lorenz.lorenz_stall(
                model,
                int(mine[0].run.rates.shape[1]),
                [r.read_out for r in mine],
                [r.run.final_loss for r in mine],
                [r.reachable_loss for r in mine],
                [bool(r.run.plateaus) for r in mine],
                **ring,
            )
        )
    return claims
