"""``seqmem reproduce``: every experiment of the paper, its figures, and a table of claims.

The experiments of docs/mathematics.md §3–4 (ICLR 2021, Li, Han, E, Li §4–5) run as one sweep of the
registry's experiments (:mod:`seqmem.experiments.registry`) into ``DIR/results.sqlite``, so a
reproduction resumes where it stopped and runs on a process pool or a Dask cluster. The
stored results are then rebuilt into the experiments' data, checked against the paper's
claims and drawn (:mod:`seqmem.claims`), and laid out by :mod:`seqmem.report` as
``DIR/report.html``, ``DIR/report.md``, ``DIR/summary.json`` and the PNG figures.

Two plans: ``quick`` (minutes on a laptop: fewer memories, widths and steps) and ``full``
(the ranges of docs/mathematics.md §5.1). Each claim states what was measured and what would
confirm it.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seqmem.claims import paper_claims
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
    NoPlateau,
    PlateauSweep,
    StallLabel,
    StallRow,
    memory_run_from_record,
    summarise,
)
from seqmem.experiments.registry import normalise, run_id
from seqmem.figures import reproduction_figures
from seqmem.report import Claim, write_report
from seqmem.sweep.config import PlannedRun, SweepConfig
from seqmem.sweep.execute import run_sweep
from seqmem.sweep.store import ResultsStore


@dataclass(frozen=True)
class Plan:
    """The parameters of one reproduction mode."""

    error_specs: tuple[str, ...]
    error_widths: tuple[int, ...]
    jackson_widths: tuple[int, ...]
    width_omegas: tuple[float, ...]
    width_eps: float
    width_max: int
    flow_memories: tuple[float, ...]
    gd_memories: tuple[float, ...]
    adam_memories: tuple[float, ...]
    stall_memories: tuple[float, ...]
    stall_final_time: float
    sampled_memories: tuple[float, ...]
    lorenz_sites: dict[str, tuple[int, ...]]
    lorenz_steps: int
    lorenz_width: int
    sampled_options: dict = field(default_factory=dict)
    sampled_seeds: tuple[int, ...] = (0, 1, 2)
    stall_modes: tuple[str, ...] = ("real", "oscillating")


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
        width_omegas=(4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 0.5, 0.35),
        width_eps=1e-2,
        width_max=32,
        flow_memories=(3, 4, 5, 6, 7),
        gd_memories=(3, 4, 5, 6),
        adam_memories=(4, 5, 6, 7),
        stall_memories=(3, 4, 5),
        stall_final_time=1e5,
        sampled_memories=(3, 4, 5),
        lorenz_sites={"linear": (2, 8, 12, 24), "tanh": (2, 12)},
        lorenz_steps=1500,
        lorenz_width=32,
        sampled_options={"batch": 32, "length": 128, "max_steps": 8000.0},
    ),
    "full": Plan(
        error_specs=REFERENCE_KERNELS,
        error_widths=(1, 2, 3, 4, 6, 8, 12, 16),
        jackson_widths=(16, 32, 64, 128),
        # not 0.35: at ε = 10⁻³ truncation + Jackson needs more than 2¹⁸ units there
        width_omegas=(4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 0.5),
        width_eps=1e-3,
        width_max=64,
        flow_memories=(3, 4, 5, 6, 7, 8, 9),
        gd_memories=(3, 4, 5, 6, 7, 8, 9),
        adam_memories=(3, 4, 5, 6, 7, 8, 9),
        stall_memories=(2, 3, 4, 5, 6),
        stall_final_time=1e7,
        sampled_memories=(3, 4, 5, 6),
        lorenz_sites={"linear": (2, 4, 8, 12, 16, 20, 24), "tanh": (2, 4, 8, 12, 16, 20, 24)},
        lorenz_steps=3000,
        lorenz_width=32,
        sampled_options={"batch": 32, "length": 256, "max_steps": 20000.0},
    ),
    # the smallest plan that exercises every experiment, claim and figure (for tests)
    "smoke": Plan(
        error_specs=("airy(t0=2)", "powerlaw(omega=2)", "powerlaw(omega=0.5)"),
        error_widths=(1, 2, 3, 4),
        jackson_widths=(8, 16),
        width_omegas=(2.0, 1.0, 0.75, 0.5),
        width_eps=1e-1,
        width_max=16,
        flow_memories=(3, 4, 5, 6),
        gd_memories=(3, 4),
        adam_memories=(4, 5),
        stall_memories=(4,),
        stall_final_time=1e4,
        sampled_memories=(3, 4),
        lorenz_sites={"linear": (2, 12), "tanh": (2,)},
        lorenz_steps=100,
        lorenz_width=8,
        sampled_options={"batch": 16, "length": 64, "max_steps": 1000.0},
        stall_modes=("real",),  # the claims read the real-mode runs only
    ),
}

STALL_TEMPLATES = ("exp(rate=3)+bump(t0={t0})", "airy(t0={t0})")
# Adam's step on the Lorenz-96 target. The tanh RNN learns a recurrence of spectral radius
# ≈ 1.6 (tanh keeps its state bounded); at η = 0.01 Adam's normalised steps, ~η per entry
# of the 32 × 32 coupling, carry it across a bifurcation (radius 1.60 → 1.92 within 15
# steps near step 1200 at j = 2) where the state locks into a self-sustained pattern and the
# loss jumps to 1.8 before it retrains. Clipping the gradient does not stop it (Adam
# normalises the step); η = 0.003 does, and reaches a lower loss (docs/mathematics.md §4.8).
LORENZ_LEARNING_RATES = {"linear": 0.01, "tanh": 0.003}


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
        f"sampled_{model}_{seed}": [
            _planned(
                version,
                "plateau",
                memory=t0,
                optimizer="adam",
                learning_rate=0.01,
                loss="sampled",
                model=model,
                seed=seed,
                **options,
            )
            for t0 in plan.sampled_memories
        ]
        for model in ("linear", "tanh")
        for seed in plan.sampled_seeds
    }
    return {
        "error_curves": [
            _planned(version, "error_curve", spec=spec, widths=list(plan.error_widths))
            for spec in plan.error_specs
        ],
        "jackson": [_planned(version, "jackson_rates", widths=list(plan.jackson_widths))],
        "width_needed": [
            _planned(
                version,
                "width_needed",
                omegas=list(plan.width_omegas),
                eps=plan.width_eps,
                max_width=plan.width_max,
            )
        ],
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
            for modes in plan.stall_modes
        ],
        **sampled,
        "lorenz": [
            _planned(
                version,
                "lorenz",
                read_out=j,
                model=model,
                steps=plan.lorenz_steps,
                width=plan.lorenz_width,
                learning_rate=LORENZ_LEARNING_RATES[model],
            )
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


def prepare_out_dir(out_dir: str | os.PathLike) -> Path:
    """Create the output folder ``out_dir`` (and its parents) and check it takes new files.

    Probes with a uniquely named hidden file that is removed at once, so nothing already in
    the folder (a results store, a report) is touched. Raises :class:`SeqmemValueError`
    with a one-line message naming the path and the reason when the folder cannot be
    created (a missing or read-only parent, a file in its way) or written into.
    """
    from seqmem.errors import SeqmemValueError

    if not os.fspath(out_dir):
        raise SeqmemValueError("the output folder must be a non-empty path; got ''")
    path = Path(out_dir)

    def refuse(why: str) -> SeqmemValueError:
        return SeqmemValueError(f"cannot use {str(path)!r} as the output folder: {why}")

    def reason(action: str, error: OSError) -> str:
        """``action`` and the system's reason, naming the path that failed if not ``path``."""
        why = error.strerror or str(error) or type(error).__name__
        if isinstance(error, NotADirectoryError):
            why = "a file, not a directory, lies on its path"
        blamed = error.filename
        if blamed is not None and os.fspath(blamed) != os.fspath(path):
            return f"{action} {os.fspath(blamed)!r}: {why}"
        return f"{action} it: {why}"

    if path.exists() and not path.is_dir():
        raise refuse("it exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise refuse(reason("cannot create", error)) from error
    try:
        handle, probe = tempfile.mkstemp(prefix=".seqmem-write-check-", dir=path)
    except OSError as error:
        why = error.strerror or str(error) or type(error).__name__
        raise refuse(f"cannot create files in it: {why}") from error
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return path


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
        mode: "quick" (minutes), "full" (the ranges of docs/mathematics.md §5.1) or "smoke" (the
            smallest plan touching every claim, for tests).
        executor, workers, scheduler: as in :func:`~seqmem.sweep.execute.run_sweep`.
        progress: a progress bar on stderr.
    """
    from seqmem.provenance import code_version, provenance

    started = time.perf_counter()
    if mode not in PLANS:
        from seqmem.errors import SeqmemValueError

        raise SeqmemValueError(
            f"the reproduce mode must be one of {', '.join(PLANS)}; got {mode!r}"
        )
    out_dir = prepare_out_dir(out_dir)  # before any computation: refuse an unusable folder
    groups = plan_runs(PLANS[mode], code_version())
    runs = [run for group in groups.values() for run in group]
    config = SweepConfig(
        name=f"reproduce-{mode}", experiment="several", fixed={}, grid={}, runs=runs
    )
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
    claims = paper_claims(data)
    reproduction_figures(data, out_dir)
    seconds = time.perf_counter() - started
    seeds = {int(run.params["seed"]) for run in runs if "seed" in run.params}
    origin = provenance(plan=mode, seeds=sorted(seeds))
    paths = write_report(out_dir, claims, seconds=seconds, mode=mode, provenance=origin)
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
        seeds = sorted(g for g in groups if g.startswith(f"sampled_{model}_"))
        data[f"sampled_{model}"] = [_sweep(load(g), groups[g][0].params) for g in seeds]
    first = next(g for g in groups if g.startswith("sampled_"))
    data["sampled_budget"] = groups[first][0].params["max_steps"]  # one budget for all
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
            m["reachable_loss"],
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
