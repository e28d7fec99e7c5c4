"""Commands that run many experiments or scripts: sweep, results, reproduce, bench."""

from __future__ import annotations

import argparse

from seqmem.cli.arguments import emit


def command_sweep(args: argparse.Namespace) -> None:
    if args.dry_run:
        from seqmem.sweep.config import load_config

        config = load_config(args.config)
        result = {"runs": len(config.runs), "experiment": config.experiment}
        emit(
            result,
            args.json,
            lambda r: f"{r['runs']} runs of experiment '{r['experiment']}' ({args.config})",
        )
        return
    from seqmem.sweep.session import sweep_into_store
    from seqmem.sweep.store import DEFAULT_STORE

    result = sweep_into_store(
        args.config,
        args.store or DEFAULT_STORE,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.json and not args.no_progress,
    ).as_dict()

    def render(r):
        return (
            f"{r['runs']} runs of '{r['experiment']}': {r['already_done']} already done, "
            f"{r['executed']} executed ({r['failed']} failed) in {r['seconds']:.1f} s; "
            f"store {r['store']} holds {r['counts']['done']} done, {r['counts']['failed']} failed"
        )

    emit(result, args.json, render)


def command_results(args: argparse.Namespace) -> None:
    from seqmem.sweep.store import DEFAULT_STORE, read_results

    runs, counts = read_results(
        args.store or DEFAULT_STORE,
        status=args.status,
        experiment=args.experiment,
        export=args.export,
    )
    result = {
        "runs": [
            {"id": r.id, "config": r.config, "status": r.status, "metrics": r.metrics} for r in runs
        ],
        "counts": counts,
    }

    def render(r):
        lines = [f"{counts['done']} done, {counts['failed']} failed"]
        for run in runs:
            shown = (
                run.error
                if run.status == "failed"
                else ", ".join(
                    f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in run.metrics.items()
                )
            )
            lines.append(f"{run.id}  {run.experiment}  {run.status}  {shown}")
        if args.export is not None:
            lines.append(f"exported to {args.export}")
        return "\n".join(lines)

    emit(result, args.json, render)


def command_reproduce(args: argparse.Namespace) -> None:
    from seqmem.reproduce import reproduce

    result = reproduce(
        args.out,
        mode="quick" if args.quick else args.mode,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.json,
    )
    summary = {
        "claims": [claim.summary_row() for claim in result.claims],
        "seconds": result.seconds,
        "report": str(result.paths["html"]),
    }

    def render(r):
        held = sum(c["passed"] for c in r["claims"])
        lines = [f"{held} of {len(r['claims'])} claims held ({r['seconds']:.0f} s)"]
        for c in r["claims"]:
            lines.append(f"  {'✓' if c['passed'] else '✗'} {c['id']}: measured {c['measured']}")
        lines.append(f"report: {r['report']}")
        return "\n".join(lines)

    emit(summary, args.json, render)


def command_bench(args: argparse.Namespace) -> None:
    """Run the benchmark scripts (see :mod:`seqmem.bench`)."""
    from seqmem.bench import BenchmarkFailure, run_benchmarks

    names = None if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]

    def render(rows):
        lines = [f"{'name':<44} {'seconds':>10}  {'baseline':<26} {'ratio':>8}  kind"]
        for r in rows:
            ratio = "" if r["ratio"] is None else f"{r['ratio']:8.3f}"
            lines.append(
                f"{r['name']:<44} {r['seconds']:10.4g}  {r['baseline'] or '':<26} {ratio:>8}  "
                f"{r.get('kind') or ''}"
            )
        lines.append(
            "speedup: a competitor's time / seqmem's (> 1 a win); x_floor: seqmem's / the floor's"
        )
        return "\n".join(line.rstrip() for line in lines)

    try:
        rows = run_benchmarks(names, tier=args.tier)
    except BenchmarkFailure as failure:  # the rows that passed, then exit 1 (internal error)
        emit(failure.rows, args.json, render)
        raise
    emit(rows, args.json, render)
