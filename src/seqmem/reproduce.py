"""``seqmem reproduce``: every experiment of the paper, its figures, and a table of claims.

The experiments of THEORY.md §3–4 (ICLR 2021, Li, Han, E, Li §4–5) run as one sweep of the
registry's experiments (:mod:`seqmem.experiments.registry`) into ``DIR/results.sqlite``, so a
reproduction resumes where it stopped and runs on a process pool or a Dask cluster. The
stored results are then rebuilt into the experiments' data, drawn by :mod:`seqmem.figures`,
checked against the paper's claims, and laid out by :mod:`seqmem.report` as
``DIR/report.html``, ``DIR/report.md``, ``DIR/summary.json`` and the PNG figures.

Two plans: ``quick`` (minutes on a laptop: fewer memories, widths and steps) and ``full``
(the ranges of THEORY.md §4). Each claim states what was measured and what would confirm it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqmem import figures
from seqmem.dynamics import TrainingRun
from seqmem.experiments.approximation import (
    REFERENCE_KERNELS,
    ErrorCurve,
    JacksonRates,
    WidthNeeded,
)
from seqmem.experiments.lorenz import LorenzRun
from seqmem.experiments.plateaus import (
    REFERENCE_LEARNING_RATES,
    REFERENCE_TEMPLATE,
    NoPlateau,
    PlateauSweep,
    StallLabel,
    StallRow,
    memory_run_from_record,
    summarise,
)
from seqmem.experiments.registry import normalise, run_id
from seqmem.report import Claim, write_report
from seqmem.sweep.config import PlannedRun, SweepConfig
from seqmem.sweep.execute import run_sweep
from seqmem.sweep.store import ResultsStore

APPROXIMATION = "Approximation (paper §4)"
OPTIMISATION = "Optimisation (paper §5)"
SAMPLED = "Training on sampled data (paper §5)"
LORENZ = "The nonlinear Lorenz-96 target (paper §5, our choice)"


@dataclass(frozen=True)
class Plan:
    """The parameters of one reproduction mode."""

    error_specs: tuple[str, ...]
    error_widths: tuple[int, ...]
    jackson_widths: tuple[int, ...]
    width_eps: float
    flow_memories: tuple[float, ...]
    gd_memories: tuple[float, ...]
    adam_memories: tuple[float, ...]
    stall_memories: tuple[float, ...]
    stall_final_time: float
    sampled_memories: tuple[float, ...]
    lorenz_sites: dict[str, tuple[int, ...]]
    lorenz_steps: int
    sampled_options: dict = field(default_factory=dict)


PLANS = {
    "quick": Plan(
        error_specs=(
            "airy(t0=2)",
            "gammabump(k=2)+exp(rate=0.5)",
            "powerlaw(omega=2)",
            "powerlaw(omega=1)",
            "powerlaw(omega=0.5)",
        ),
        error_widths=(1, 2, 3, 4, 6, 8),
        jackson_widths=(16, 32, 64),
        width_eps=1e-2,
        flow_memories=(3, 4, 5, 6, 7),
        gd_memories=(3, 4, 5, 6),
        adam_memories=(4, 5, 6, 7),
        stall_memories=(3, 4, 5),
        stall_final_time=1e5,
        sampled_memories=(3, 4, 5),
        lorenz_sites={"linear": (2, 8, 12, 24), "tanh": (2, 12)},
        lorenz_steps=1500,
        sampled_options={"batch": 32, "length": 128, "max_steps": 8000.0},
    ),
    "full": Plan(
        error_specs=REFERENCE_KERNELS,
        error_widths=(1, 2, 3, 4, 6, 8, 12, 16),
        jackson_widths=(16, 32, 64, 128),
        width_eps=1e-3,
        flow_memories=(3, 4, 5, 6, 7, 8, 9),
        gd_memories=(3, 4, 5, 6, 7, 8, 9),
        adam_memories=(3, 4, 5, 6, 7, 8, 9),
        stall_memories=(2, 3, 4, 5, 6),
        stall_final_time=1e7,
        sampled_memories=(3, 4, 5, 6),
        lorenz_sites={"linear": (2, 4, 8, 12, 16, 20, 24), "tanh": (2, 4, 8, 12, 16, 20, 24)},
        lorenz_steps=3000,
        sampled_options={"batch": 32, "length": 256, "max_steps": 20000.0},
    ),
    # the smallest plan that exercises every experiment, claim and figure (for tests)
    "smoke": Plan(
        error_specs=("airy(t0=2)", "powerlaw(omega=2)", "powerlaw(omega=0.5)"),
        error_widths=(1, 2, 3, 4),
        jackson_widths=(8, 16),
        width_eps=1e-1,
        flow_memories=(3, 4, 5),
        gd_memories=(3, 4),
        adam_memories=(4, 5),
        stall_memories=(4,),
        stall_final_time=1e4,
        sampled_memories=(3, 4),
        lorenz_sites={"linear": (2, 12), "tanh": (2,)},
        lorenz_steps=100,
        sampled_options={"batch": 16, "length": 64, "max_steps": 2000.0},
    ),
}

STALL_TEMPLATES = ("exp(rate=3)+bump(t0={t0})", "airy(t0={t0})")


def _planned(version: str, experiment: str, **params) -> PlannedRun:
    values = normalise(experiment, params)
    return PlannedRun(run_id(experiment, values, version), experiment, values)


def plan_runs(plan: Plan, version: str) -> dict[str, list[PlannedRun]]:
    """The runs of a reproduction, grouped by the figure or claim they feed."""
    sweep = {
        name: [
            _planned(version, "plateau", memory=t0, optimizer=name, learning_rate=rate)
            for t0 in memories
        ]
        for name, rate, memories in (
            ("flow", None, plan.flow_memories),
            ("gd", REFERENCE_LEARNING_RATES["gd"], plan.gd_memories),
            ("momentum", REFERENCE_LEARNING_RATES["momentum"], plan.gd_memories),
            ("adam", REFERENCE_LEARNING_RATES["adam"], plan.adam_memories),
        )
    }
    options = dict(plan.sampled_options)
    sampled = {
        model: [
            _planned(
                version,
                "plateau",
                memory=t0,
                optimizer="adam",
                learning_rate=0.01,
                loss="sampled",
                model=model,
                **options,
            )
            for t0 in plan.sampled_memories
        ]
        for model in ("linear", "tanh")
    }
    return {
        "error_curves": [
            _planned(version, "error_curve", spec=spec, widths=list(plan.error_widths))
            for spec in plan.error_specs
        ],
        "jackson": [_planned(version, "jackson_rates", widths=list(plan.jackson_widths))],
        "width_needed": [_planned(version, "width_needed", eps=plan.width_eps)],
        "no_plateau": [_planned(version, "no_plateau")],
        **{f"plateau_{name}": runs for name, runs in sweep.items()},
        "stall": [
            _planned(
                version,
                "stall",
                template=template,
                memory=t0,
                modes=modes,
                final_time=plan.stall_final_time,
            )
            for template in STALL_TEMPLATES
            for t0 in plan.stall_memories
            for modes in ("real", "oscillating")
        ],
        **{f"sampled_{model}": runs for model, runs in sampled.items()},
        "lorenz": [
            _planned(version, "lorenz", read_out=j, model=model, steps=plan.lorenz_steps)
            for model, sites in plan.lorenz_sites.items()
            for j in sites
        ],
    }


@dataclass(frozen=True)
class Reproduction:
    """What :func:`reproduce` wrote and found."""

    claims: list[Claim]
    paths: dict[str, Path]
    seconds: float


def reproduce(
    out_dir: str | os.PathLike = "seqmem-report",
    *,
    mode: str = "quick",
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Reproduction:
    """Run (or resume) every experiment, then write the figures, the claims and the report.

    Args:
        out_dir: the output folder (the results store ``results.sqlite`` lives there too,
            so a second call resumes).
        mode: "quick" (minutes), "full" (the ranges of THEORY.md §4) or "smoke" (the
            smallest plan touching every claim, for tests).
        executor, workers, scheduler: as in :func:`~seqmem.sweep.execute.run_sweep`.
        progress: a progress bar on stderr.
    """
    from seqmem import __version__

    started = time.perf_counter()
    out_dir = Path(out_dir)
    if mode not in PLANS:
        from seqmem.errors import SeqmemValueError

        raise SeqmemValueError(
            f"the reproduce mode must be one of {', '.join(PLANS)}; got {mode!r}"
        )
    groups = plan_runs(PLANS[mode], __version__)
    runs = [run for group in groups.values() for run in group]
    config = SweepConfig(
        name=f"reproduce-{mode}", experiment="several", fixed={}, grid={}, runs=runs
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    with ResultsStore(out_dir / "results.sqlite") as store:
        run_sweep(
            config, store, executor=executor, workers=workers, scheduler=scheduler,
            progress=progress,
        )  # fmt: skip
        stored = {run.id: run for run in store.runs()}
        failed = [stored[r.id] for r in runs if stored[r.id].status != "done"]
        if failed:
            from seqmem.errors import SeqmemError

            raise SeqmemError(
                f"{len(failed)} reproduction runs failed, e.g. {failed[0].experiment} "
                f"{failed[0].config}: {failed[0].error} (rerun to retry them)"
            )

        def load(group: str) -> list[tuple[dict, dict]]:
            return [(stored[r.id].metrics, store.curves(r.id)) for r in groups[group]]

        data = _rebuild(load, groups)
    claims = _claims(data, out_dir)
    seconds = time.perf_counter() - started
    paths = write_report(out_dir, claims, seconds=seconds, mode=mode)
    return Reproduction(claims, paths, seconds)


def _rebuild(load: Callable[[str], list[tuple[dict, dict]]], groups: dict) -> dict:
    """The experiments' data objects from the stored metrics and curves."""
    data: dict[str, object] = {}
    data["error_curves"] = [ErrorCurve(**metrics) for metrics, _ in load("error_curves")]
    ((jackson, _),) = load("jackson")
    data["jackson"] = JacksonRates(**jackson)
    ((needed, _),) = load("width_needed")
    data["width_needed"] = WidthNeeded(**needed)
    ((flat, flat_curves),) = load("no_plateau")
    data["no_plateau"] = NoPlateau(
        flat["kernel"], TrainingRun.from_record(flat, flat_curves), flat["best_loss"]
    )
    for name in ("flow", "gd", "momentum", "adam"):
        params = groups[f"plateau_{name}"][0].params
        data[f"plateau_{name}"] = _sweep(load(f"plateau_{name}"), params)
    for model in ("linear", "tanh"):
        params = groups[f"sampled_{model}"][0].params
        data[f"sampled_{model}"] = _sweep(load(f"sampled_{model}"), params)
    data["stall"] = [
        StallRow(
            run.params["template"],
            run.params["memory"],
            run.params["modes"],
            StallLabel(m["kind"], m["stall_level"], m["final_loss"], m["best_loss"]),
            TrainingRun.from_record(m, c),
        )
        for run, (m, c) in zip(groups["stall"], load("stall"), strict=True)
    ]
    data["lorenz"] = [
        LorenzRun(
            run.params["read_out"],
            run.params["model"],
            m["memory_centroid"],
            m["linear_response_unexplained"],
            TrainingRun.from_record(m, c),
        )
        for run, (m, c) in zip(groups["lorenz"], load("lorenz"), strict=True)
    ]
    return data


def _sweep(records: list[tuple[dict, dict]], params: dict) -> PlateauSweep:
    return summarise(
        params["template"],
        [memory_run_from_record(m, c) for m, c in records],
        optimizer=params["optimizer"],
        loss=params["loss"],
        model=params["model"],
        learning_rate=params["learning_rate"],
        seconds=math.nan,
    )


def _save(figure, out_dir: Path, name: str) -> str:
    figures.save(figure, out_dir / name)
    return name


def _finite(values) -> np.ndarray:
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return array[np.isfinite(array)]


def _claims(data: dict, out_dir: Path) -> list[Claim]:
    """Draw the figures and check each claim of the paper against the measurements."""
    curves: list[ErrorCurve] = data["error_curves"]
    by_kernel = {c.kernel: c for c in curves}
    errors_figure = _save(figures.error_versus_width(curves), out_dir, "error_vs_width.png")
    slowest_figure = _save(figures.slowest_rate(curves), out_dir, "slowest_rate.png")
    claims = []

    airy = by_kernel["airy(t0=2)"]
    fit = airy.rate_fit or {"kind": "none", "exponent": math.nan, "r2": math.nan}
    claims.append(
        Claim(
            "universal-approximation",
            "Linear RNNs approximate a smooth, exponentially decaying memory with an error "
            "that falls exponentially in the width m.",
            fit["exponent"],
            "the L¹ error of the best width-m fit of airy(t0=2) falls like e^{−cm}: "
            "exponential fit, c > 0.5, r² ≥ 0.9",
            fit["kind"] == "exponential" and fit["exponent"] > 0.5 and fit["r2"] >= 0.9,
            APPROXIMATION,
            f"Best L² fits (variable projection) at widths {airy.widths}; exact L¹ errors "
            f"{', '.join(f'{e:.2e}' for e in airy.l1_error)}; fitted {fit['kind']} decay, "
            f"r² = {fit['r2']:.3f}.",
            {"kernel": airy.kernel, "widths": airy.widths},
            errors_figure,
        )
    )

    jackson: JacksonRates = data["jackson"]
    gaps = np.abs(np.subtract(jackson.measured_exponent, jackson.expected_exponent))
    jackson_figure = _save(figures.jackson_rates(jackson), out_dir, "jackson_rates.png")
    claims.append(
        Claim(
            "jackson-rate",
            "The smoother the memory kernel (α derivatives after the change of variable "
            "u = e^{−βt}), the faster the constructive (Jackson) approximation converges.",
            float(np.max(gaps)),
            "measured exponents within 0.3 of α + 3/2 (L¹ error ~ m^{−(α+3/2)}) and "
            "increasing with α",
            bool(np.max(gaps) <= 0.3 and np.all(np.diff(jackson.measured_exponent) > 0)),
            APPROXIMATION,
            f"Exponents {', '.join(f'{p:.2f}' for p in jackson.measured_exponent)} for "
            f"α = {jackson.alphas}; measured is the largest gap to α + 3/2.",
            {"alphas": jackson.alphas, "widths": jackson.widths},
            jackson_figure,
        )
    )
    ratio = float(np.max(np.divide(jackson.bounded_error, jackson.bound)))
    claims.append(
        Claim(
            "jackson-bound",
            "The Jackson-type bound C(α)γ/(βm^α) of the approximation theorem holds.",
            ratio,
            "error / bound ≤ 1 for every α and m",
            ratio <= 1.0,
            APPROXIMATION,
            "Construction with rate spacing β/(α+1), for which the bound is proved; measured is "
            "the largest ratio of the error to the bound.",
            {"alphas": jackson.alphas, "widths": jackson.widths},
            jackson_figure,
        )
    )

    needed: WidthNeeded = data["width_needed"]
    widths = [w for w in needed.best_fit_width if w is not None]
    width_figure = _save(figures.width_needed(needed), out_dir, "width_needed.png")
    grows = len(widths) == len(needed.omegas) and all(np.diff(widths) > 0)
    claims.append(
        Claim(
            "curse-of-memory-width",
            "The curse of memory: the width needed for a given accuracy grows quickly as the "
            "memory of a power-law kernel ρ ~ t^{−(1+ω)} lengthens (ω falls).",
            float(widths[-1] / widths[0]) if grows else math.nan,
            f"the width reaching relative L¹ error {needed.eps:g} grows as ω falls",
            grows,
            APPROXIMATION,
            f"Widths {needed.best_fit_width} (best fits) and {needed.jackson_width} (truncation "
            f"+ Jackson) for ω = {needed.omegas}; measured is the ratio of the extremes.",
            {"omegas": needed.omegas, "eps": needed.eps},
            width_figure,
        )
    )

    slow = by_kernel["powerlaw(omega=0.5)"]
    slow_fit = slow.rate_fit or {"exponent": math.nan}
    ratio = slow_fit["exponent"] / fit["exponent"]
    claims.append(
        Claim(
            "power-law-slower",
            "Power-law memory is approximated far more slowly than exponential-type memory.",
            float(ratio),
            "the decay exponent of the power-law errors is below half that of airy(t0=2)",
            bool(ratio < 0.5),
            APPROXIMATION,
            f"Error-decay exponents {slow_fit['exponent']:.3f} (powerlaw ω = 0.5) and "
            f"{fit['exponent']:.3f} (airy).",
            {"kernels": [slow.kernel, airy.kernel]},
            errors_figure,
        )
    )

    drift = slow.slowest_rate[-1] / slow.slowest_rate[0]
    claims.append(
        Claim(
            "inverse-theorem",
            "Inverse theorem: if a target is approximated efficiently, its memory decays "
            "exponentially; for power-law targets the slowest rate of good approximants "
            "drifts to 0 as m grows.",
            float(drift),
            "slowest rate at the largest width ≤ 0.1 × at m = 1 for powerlaw(ω = 0.5), while "
            "it stays ≥ 0.2 for airy(t0=2)",
            bool(drift <= 0.1 and min(airy.slowest_rate) >= 0.2),
            APPROXIMATION,
            f"Slowest significant decay rate of the best fits: {slow.slowest_rate[0]:.3g} → "
            f"{slow.slowest_rate[-1]:.3g} (power law), min {min(airy.slowest_rate):.3g} (airy).",
            {"widths": slow.widths},
            slowest_figure,
        )
    )

    margins = [
        e / s for c in curves for e, s in zip(c.l1_error, c.hsv_floor, strict=True) if s > 1e-12
    ]
    claims.append(
        Claim(
            "hankel-floor",
            "No width-m linear RNN approximates a kernel better than its (m+1)-th Hankel "
            "singular value σ_{m+1}.",
            float(min(margins)),
            "min over kernels and widths of L¹ error / σ_{m+1} ≥ 1",
            bool(min(margins) >= 1.0 - 1e-9),
            APPROXIMATION,
            "Hankel singular values by quadrature (completely monotone kernels) or the "
            "averaged Hankel matrix; every best fit's exact L¹ error compared with σ_{m+1}.",
            {"kernels": [c.kernel for c in curves]},
            errors_figure,
        )
    )

    claims.extend(_optimisation_claims(data, out_dir))
    claims.extend(_lorenz_claims(data["lorenz"], out_dir))
    return claims


def _lorenz_claims(runs: list[LorenzRun], out_dir: Path) -> list[Claim]:
    figure = _save(figures.lorenz(runs), out_dir, "lorenz.png")
    by_site = {r.read_out: r for r in runs}
    sites = sorted(by_site)
    centroids = [by_site[j].memory_centroid for j in sites]
    slope = float(np.polyfit(sites, centroids, 1)[0])
    parameters = {"sites": 40, "forcing": 0.7, "sigma": 0.5, "dt": 0.1, "rk4_step": 0.05}
    claims = [
        Claim(
            "lorenz-memory",
            "The Lorenz-96 output read at site j is a fading-memory functional of the input "
            "whose memory grows linearly with j (a wave packet travelling round the ring).",
            slope,
            "the memory centroid of the linear response increases with j (THEORY: ≈ 1.5 at "
            "j = 2, ≈ 14.6 at j = 24); measured: centroid per site",
            bool(np.all(np.diff(centroids) > 0)),
            LORENZ,
            "Centroids " + ", ".join(f"{c:.3g}" for c in centroids) + f" at j = {sites}.",
            {**parameters, "read_out": sites},
            figure,
        )
    ]
    misses = [by_site[j].linear_response_unexplained for j in sites]
    claims.append(
        Claim(
            "lorenz-nonlinear",
            "The target is genuinely nonlinear: its linear response misses a part of the "
            "output (THEORY: 7–11 % of the variance at σ = 0.5).",
            float(np.mean(misses)),
            "the linear response leaves between 3 % and 20 % of the output variance at every j",
            bool(all(0.03 <= v <= 0.2 for v in misses)),
            LORENZ,
            "Unexplained share " + ", ".join(f"{v:.3f}" for v in misses) + f" at j = {sites} "
            "(1 − corr² of the output and the exact linear response on the data).",
            {**parameters, "read_out": sites},
            figure,
        )
    )
    for model in ("linear", "tanh"):
        mine = sorted((r for r in runs if r.model == model), key=lambda r: r.read_out)
        if len(mine) < 2:
            continue
        finals = [r.run.final_loss for r in mine]
        escaped = [r.read_out for r in mine if r.run.plateaus]
        claims.append(
            Claim(
                f"lorenz-{model}-stall",
                f"A width-{mine[0].run.rates.shape[1]} {model} RNN trained by Adam stalls "
                "longer as the memory j grows (the paper: no plateau at small j, plateaus "
                "that lengthen with j).",
                float(finals[-1] - finals[0]),
                "after the same number of steps the loss is higher at the largest j than at the "
                "smallest; measured: that difference (loss of the standardised output)",
                bool(finals[-1] > finals[0]),
                LORENZ,
                "Final losses "
                + ", ".join(f"{v:.3f}" for v in finals)
                + f" at j = {[r.read_out for r in mine]}; a plateau followed by an escape was "
                + (
                    f"seen at j = {escaped}."
                    if escaped
                    else "seen at no j: the runs stall "
                    "without escaping within the steps (real decay rates fit the oscillating "
                    "Lorenz-96 response badly, as they do the Gaussian bump)."
                ),
                {**parameters, "read_out": [r.read_out for r in mine], "model": model},
                figure,
            )
        )
    return claims


def _optimisation_claims(data: dict, out_dir: Path) -> list[Claim]:
    claims = []
    flat: NoPlateau = data["no_plateau"]
    flat_figure = _save(figures.no_plateau(flat), out_dir, "no_plateau.png")
    drop = flat.run.final_loss / flat.run.loss[0]
    claims.append(
        Claim(
            "no-plateau",
            "A target the model can represent with short memory (an exponential sum) trains "
            "without a plateau.",
            float(len(flat.run.plateaus)),
            "no plateau followed by an escape, and the loss falls by ≥ 10⁶",
            bool(not flat.run.plateaus and drop <= 1e-6),
            OPTIMISATION,
            f"Gradient flow on {flat.kernel}, width 4, to τ = 10⁶; loss ratio end/start "
            f"{drop:.2e}.",
            {"kernel": flat.kernel, "width": 4},
            flat_figure,
        )
    )

    sweeps = {name: data[f"plateau_{name}"] for name in ("flow", "gd", "momentum", "adam")}
    flow: PlateauSweep = sweeps["flow"]
    lengths_figure = _save(
        figures.plateau_lengths(list(sweeps.values())), out_dir, "plateau_lengths.png"
    )
    curves_figure = _save(figures.plateau_curves(flow), out_dir, "plateau_curves_flow.png")
    escape_figure = _save(figures.escape_mechanism(flow), out_dir, "escape_mechanism.png")
    reference = {
        "template": REFERENCE_TEMPLATE,
        "width": 4,
        "init_rates": [2.5, 3.5],
        "init_weight": 0.1,
    }
    levels = _finite(flow.plateau_level)
    worst = float(np.max(np.abs(levels - 1.0))) if levels.size else math.nan
    claims.append(
        Claim(
            "plateau-level",
            "Training stalls on a plateau at J ≈ ‖ρ₀‖² (the memory part's energy), whatever "
            "the memory t₀.",
            worst,
            "every plateau level within 0.02 of 1 (the unit-energy gamma bump)",
            bool(levels.size == len(flow.memory) and worst <= 0.02),
            OPTIMISATION,
            f"Plateau levels {', '.join(f'{v:.4f}' for v in levels)} under gradient flow "
            f"for t₀ = {flow.memory}.",
            {**reference, "memories": flow.memory},
            curves_figure,
        )
    )
    fit = flow.fit
    claims.append(
        Claim(
            "plateau-exponential",
            "The curse of memory in optimisation: the plateau length grows exponentially "
            "with the memory t₀.",
            math.nan if fit is None else fit.slope,
            "log(plateau length) linear in t₀ with slope > 0 and r² ≥ 0.95 (gradient flow)",
            bool(fit is not None and fit.slope > 0 and fit.r2 >= 0.95),
            OPTIMISATION,
            "Flow times to escape (J < 0.8 × plateau level): "
            + ", ".join(f"{v:.4g}" for v in _finite(flow.plateau_length))
            + ("" if fit is None else f"; r² = {fit.r2:.3f}."),
            {**reference, "memories": flow.memory},
            lengths_figure,
        )
    )
    predicted = flow.predicted_slope
    agreement = math.nan if fit is None or predicted is None else fit.slope / predicted
    claims.append(
        Claim(
            "plateau-mechanism",
            "The escape is slow because the force on a mode with rate w is ∝ ℒρ₀(w) ∝ "
            "(1 + w)^{−t₀}: the slope is ln(1 + w̄) for the rates w̄ on the plateau.",
            agreement,
            "measured slope / ln(1 + w̄) within [0.8, 1.25]",
            bool(0.8 <= agreement <= 1.25),
            OPTIMISATION,
            f"Measured slope {fit.slope:.3f}; w̄ = mean smallest rate mid-plateau; "
            f"ln(1 + w̄) = {predicted:.3f}."
            if fit is not None and predicted is not None
            else "No fit.",
            {**reference, "memories": flow.memory},
            lengths_figure,
        )
    )
    for name, label in (("gd", "plain gradient descent"), ("momentum", "heavy-ball momentum")):
        sweep = sweeps[name]
        ratios = [
            run.escape.length * run.time_scale / flow_run.escape.length
            for run in sweep.runs
            for flow_run in flow.runs
            if run.memory == flow_run.memory and run.escape and flow_run.escape
        ]
        worst = float(np.max(np.abs(np.subtract(ratios, 1.0)))) if ratios else math.nan
        claims.append(
            Claim(
                f"{name}-flow-time",
                f"With a fixed step, {label} reproduces the gradient flow: its plateau lasts "
                "the flow time divided by the step.",
                worst,
                "steps × step size within 15 % of the flow time at every memory, the gap "
                "not growing with the memory (a start-up lag matters only on short plateaus)",
                bool(
                    len(ratios) == len(sweep.memory)
                    and worst <= 0.15
                    and abs(ratios[-1] - 1) <= abs(ratios[0] - 1) + 0.01
                ),
                OPTIMISATION,
                f"Step η = {sweep.learning_rate:g}"
                + (" with β = 0.9, i.e. η/(1−β) per step" if name == "momentum" else "")
                + f"; measured is the largest relative gap to the flow over t₀ = {sweep.memory}.",
                {**reference, "learning_rate": sweep.learning_rate, "memories": sweep.memory},
                lengths_figure,
            )
        )
    adam = sweeps["adam"]
    ratio = math.nan if adam.fit is None or fit is None else adam.fit.slope / fit.slope
    lengths = _finite(adam.plateau_length)
    claims.append(
        Claim(
            "adam-smaller-exponent",
            "Adam keeps the exponential ordering of plateau lengths, with a much smaller "
            "exponent (its normalisation amplifies small gradients).",
            ratio,
            "Adam's log-length slope between 0 and the flow's, lengths increasing in t₀",
            bool(0 < ratio < 1 and np.all(np.diff(lengths) > 0)),
            OPTIMISATION,
            f"Adam (η = {adam.learning_rate:g}) plateau lengths in steps: "
            + ", ".join(f"{v:.4g}" for v in lengths),
            {**reference, "learning_rate": adam.learning_rate, "memories": adam.memory},
            lengths_figure,
        )
    )
    scaled = [
        rate * (2 * t0 + 1)
        for t0, rate in zip(flow.memory, flow.escape_rates, strict=True)
        if rate is not None
    ]
    claims.append(
        Claim(
            "escape-rate",
            "At the escape one decay rate moves down to O(1/t₀), towards the best single-mode "
            "rate 1/(2t₀ + 1) of the memory part.",
            float(scaled[-1]) if scaled else math.nan,
            "smallest rate at escape × (2t₀ + 1) in [0.8, 2] for every t₀, and closest to 1 "
            "at the longest memory",
            bool(scaled and all(0.8 <= v <= 2 for v in scaled) and scaled[-1] <= scaled[0]),
            OPTIMISATION,
            "Rate × (2t₀+1): "
            + ", ".join(f"{v:.3f}" for v in scaled)
            + f" for t₀ = {flow.memory}.",
            {**reference, "memories": flow.memory},
            escape_figure,
        )
    )
    rows: list[StallRow] = data["stall"]
    stall_figure = _save(figures.stall_survey(rows), out_dir, "stall_survey.png")
    real_bump = [r for r in rows if r.modes == "real" and "bump" in r.template and r.memory >= 4]
    floors = [r for r in real_bump if r.label.kind.endswith("approximation floor")]
    claims.append(
        Claim(
            "bump-floor",
            "A Gaussian bump far in the past, fitted by real modes, ends on an approximation "
            "floor (no width-4 real model does much better), not only an optimisation plateau.",
            float(len(floors) / max(1, len(real_bump))),
            "the runs with t₀ ≥ 4 end within 1.5× of the best width-4 loss",
            bool(real_bump and len(floors) == len(real_bump)),
            OPTIMISATION,
            "; ".join(f"t₀ = {r.memory:g}: {r.label.kind}" for r in real_bump),
            {"template": STALL_TEMPLATES[0], "width": 4},
            stall_figure,
        )
    )
    airy_real = [r for r in rows if r.modes == "real" and r.template.startswith("airy")]
    stuck = [r for r in airy_real if "optimisation plateau" in r.label.kind]
    claims.append(
        Claim(
            "airy-plateau",
            "Airy targets with growing memory show optimisation plateaus (far above the best "
            "width-m loss), the paper's numerical evidence.",
            float(len(stuck)),
            "at least one run labelled an optimisation plateau",
            bool(stuck),
            OPTIMISATION,
            "; ".join(f"t₀ = {r.memory:g}: {r.label.kind}" for r in airy_real),
            {"template": STALL_TEMPLATES[1], "width": 4},
            stall_figure,
        )
    )
    for model in ("linear", "tanh"):
        sweep: PlateauSweep = data[f"sampled_{model}"]
        figure = _save(figures.plateau_curves(sweep), out_dir, f"sampled_{model}.png")
        escaped = [length is not None for length in sweep.plateau_length]
        lengths = _finite(sweep.plateau_length)
        # a run still on its plateau when the budget ran out is longer than every escape:
        # consistent with growth only if such runs come after all the escaped ones
        ordered = bool(
            lengths.size >= 2
            and np.all(np.diff(lengths) > 0)
            and escaped == sorted(escaped, reverse=True)
        )
        claims.append(
            Claim(
                f"sampled-{model}",
                f"With sampled white-noise data and Adam, a {model} RNN also stalls longer "
                "as the memory grows.",
                math.nan if sweep.fit is None else sweep.fit.slope,
                "plateau lengths increase with t₀ (a run that never escapes within the "
                "budget counts as longest); measured: log-length slope of the escaped runs",
                ordered,
                SAMPLED,
                "Plateau lengths in Adam steps: "
                + ", ".join("no escape" if v is None else f"{v:.4g}" for v in sweep.plateau_length)
                + f" for t₀ = {sweep.memory}"
                + ("" if sweep.fit is None else f"; r² = {sweep.fit.r2:.3f}."),
                {"template": REFERENCE_TEMPLATE, "model": model, "memories": sweep.memory},
                figure,
            )
        )
    return claims
