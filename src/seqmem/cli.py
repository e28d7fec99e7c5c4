"""The ``seqmem`` command.

Every command accepts ``--json`` (the machine-readable result alone on stdout) and
exits 0 on success, 2 on bad input (one line on stderr, no traceback) and 1 on an
internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from seqmem.errors import SeqmemError, SeqmemValueError, check_integer


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SeqmemValueError(message)


def _emit(result: object, as_json: bool, render: Callable[[object], str]) -> None:
    print(json.dumps(result) if as_json else render(result))


def _command_kernels(args: argparse.Namespace) -> None:
    from seqmem.kernels import describe_families

    def render(families):
        lines = []
        for family in families:
            params = ", ".join(
                key if default is None else f"{key}={default:g}"
                for key, default in family["params"].items()
            )
            lines.append(f"{family['name']}({params})\n    {family['description']}")
        return "\n".join(lines)

    _emit(describe_families(), args.json, render)


def _command_demo(args: argparse.Namespace) -> None:
    from seqmem.experiments.approximation import geometric_errors

    max_width = check_integer("--max-width", args.max_width, owner="seqmem demo", minimum=1)
    result = geometric_errors(args.kernels, range(1, max_width + 1)).as_dict()

    def render(result):
        widths = result["widths"]
        head = "relative L² error of the best width-m fit with geometric decay rates\n"
        lines = [head + f"{'kernel':<28}" + "".join(f"{m:>10d}" for m in widths)]
        for spec, errors in result["relative_l2_error"].items():
            cells = (f"{e:>10.2e}" if e >= 1e-7 else f"{'<1e-7':>10}" for e in errors)
            lines.append(f"{spec:<28}" + "".join(cells))
        lines.append(
            "Exponential-type memory is captured at a rate exponential in m; power-law memory\n"
            "needs far more units for the same error (the curse of memory, ICLR 2021 §4)."
        )
        return "\n".join(lines)

    _emit(result, args.json, render)


def _parse_widths(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise SeqmemValueError(
            f"--widths must be a comma-separated list of integers; got {text!r}"
        ) from error
    if not widths or min(widths) < 1:
        raise SeqmemValueError(f"--widths must be integers ≥ 1; got {text!r}")
    return widths


def _command_approx(args: argparse.Namespace) -> None:
    from seqmem.experiments.approximation import approximation_table
    from seqmem.kernels import from_spec

    table = approximation_table(
        from_spec(args.spec), _parse_widths(args.widths), method=args.method, beta=args.beta
    )
    if table.message:
        print(f"seqmem approx: {table.message}", file=sys.stderr)

    def render(result):
        lines = [
            f"{result['kernel']}  ({args.method})",
            f"{'m':>4} {'L1 error':>12} {'± tol':>9} {'L2 error':>12} {'± tol':>9} "
            f"{'σ_(m+1)':>12} {'slowest rate':>13}",
        ]
        for row in zip(
            result["widths"], result["l1_error"], result["l1_tolerance"], result["l2_error"],
            result["l2_tolerance"], result["hsv_floor"], result["slowest_rate"], strict=True,
        ):  # fmt: skip
            floor = "—" if row[5] is None else f"{row[5]:.4e}"
            lines.append(
                f"{row[0]:>4d} {row[1]:>12.4e} {row[2]:>9.1e} {row[3]:>12.4e} {row[4]:>9.1e} "
                f"{floor:>12} {row[6]:>13.4e}"
            )
        fitted = result["rate_fit"]
        if fitted:
            adverb = {"exponential": "exponentially", "algebraic": "algebraically"}[fitted["kind"]]
            lines.append(
                f"L1 error falls {adverb}, exponent {fitted['exponent']:.3g} "
                f"(r² {fitted['r2']:.3f})"
            )
        return "\n".join(lines)

    _emit(table.as_dict(), args.json, render)


def _command_hsv(args: argparse.Namespace) -> None:
    from seqmem.approximation import hankel_singular_values
    from seqmem.kernels import from_spec

    kernel = from_spec(args.spec)
    count = check_integer("--count", args.count, owner="seqmem hsv", minimum=1)
    values = [float(v) for v in hankel_singular_values(kernel, count)]
    result = {"kernel": kernel.spec, "hsv": values}

    def render(result):
        return "\n".join(
            [f"Hankel singular values of {result['kernel']}"]
            + [f"σ_{k + 1:<3d} {v:.6e}" for k, v in enumerate(values)]
        )

    _emit(result, args.json, render)


def _parse_numbers(flag: str, text: str, *, count: int | None = None) -> list[float]:
    """A comma-separated list of finite numbers (exactly ``count`` of them when given)."""
    import math

    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise SeqmemValueError(f"{flag} must be comma-separated numbers; got {text!r}") from error
    if not values or not all(math.isfinite(v) for v in values):
        raise SeqmemValueError(f"{flag} must be finite numbers; got {text!r}")
    if count is not None and len(values) != count:
        raise SeqmemValueError(f"{flag} needs {count} numbers; got {text!r}")
    return values


def _command_train(args: argparse.Namespace) -> None:
    from seqmem.dynamics import train
    from seqmem.kernels import from_spec

    kernel = from_spec(args.spec)
    steps = args.steps if args.steps is not None else (1e6 if args.optimizer == "flow" else 10_000)
    if args.optimizer != "flow":
        if not float(steps).is_integer():
            raise SeqmemValueError(f"--steps must be a whole number of steps; got {steps:g}")
        steps = int(steps)
    run = train(
        kernel,
        args.width,
        loss=args.loss,
        model=args.model,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        steps=steps,
        record_every=args.record_every,
        seed=args.seed,
        rate_parameterisation=args.parameterisation,
        oscillating=args.oscillating,
    )
    result = run.as_dict()

    def render(result):
        axis = "flow time" if args.optimizer == "flow" else "step"
        lines = [
            f"{kernel.spec}: width {args.width}, {args.model} model, {args.loss} loss, "
            f"{args.optimizer}",
            f"loss {result['loss'][0]:.4g} at {axis} 0 → {result['final_loss']:.4g} at the end "
            f"({result['seconds']:.1f} s)",
        ]
        for plateau in result["plateaus"]:
            lines.append(
                f"plateau at J ≈ {plateau['level']:.4g} from {axis} {plateau['start']:.4g} "
                f"to {plateau['end']:.4g}"
            )
        if not result["plateaus"]:
            lines.append("no plateau followed by an escape")
        return "\n".join(lines)

    _emit(result, args.json, render)


def _command_plateau(args: argparse.Namespace) -> None:
    from seqmem.experiments.plateaus import plateau_sweep

    memories = _parse_numbers("--memory", args.memory)
    init_rates = tuple(_parse_numbers("--init-rates", args.init_rates, count=2))
    sweep = plateau_sweep(
        args.spec,
        memories,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        width=args.width,
        init_rates=init_rates,
        init_weight=args.init_weight,
        seed=args.seed,
        escape=args.escape,
        loss=args.loss,
        model=args.model,
        max_steps=args.max_steps,
        progress=None if args.quiet else lambda line: print(line, file=sys.stderr),
    )
    result = sweep.as_dict()

    def render(result):
        unit = "flow time" if args.optimizer == "flow" else "steps"
        lines = [
            f"{'t0':>6} {'plateau length (' + unit + ')':>26} {'level':>8} {'escape rate':>12}"
        ]
        for row in zip(
            result["memory"],
            result["plateau_length"],
            result["plateau_level"],
            result["escape_rates"],
            strict=True,
        ):
            t0, length, level, rate = row
            if length is None:
                lines.append(f"{t0:>6g} {'no escape':>26}")
            else:
                lines.append(f"{t0:>6g} {length:>26.4g} {level:>8.4f} {rate:>12.4g}")
        fit = result["fit"]
        if fit is not None:
            lines.append(
                f"log(length) ≈ {fit['intercept']:.3f} + {fit['slope']:.3f}·t0 (r² {fit['r2']:.3f})"
            )
        if result["predicted_slope"] is not None:
            lines.append(f"predicted slope ln(1 + w̄) = {result['predicted_slope']:.3f}")
        return "\n".join(lines)

    _emit(result, args.json, render)


def _command_sweep(args: argparse.Namespace) -> None:
    if args.dry_run:
        from seqmem.sweep.config import load_config

        config = load_config(args.config)
        result = {"runs": len(config.runs), "experiment": config.experiment}
        _emit(
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

    _emit(result, args.json, render)


def _command_results(args: argparse.Namespace) -> None:
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

    _emit(result, args.json, render)


def _command_reproduce(args: argparse.Namespace) -> None:
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

    _emit(summary, args.json, render)


def _command_bench(args: argparse.Namespace) -> None:
    """Run the benchmark scripts (see :mod:`seqmem.bench`)."""
    from seqmem.bench import BenchmarkFailure, run_benchmarks

    names = None if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]

    def render(rows):
        lines = [f"{'name':<44} {'seconds':>10}  {'baseline':<26} {'ratio':>8}"]
        for r in rows:
            ratio = "" if r["ratio"] is None else f"{r['ratio']:8.3f}"
            lines.append(
                f"{r['name']:<44} {r['seconds']:10.4g}  {r['baseline'] or '':<26} {ratio:>8}"
            )
        return "\n".join(line.rstrip() for line in lines)

    try:
        rows = run_benchmarks(names, quick=args.quick)
    except BenchmarkFailure as failure:  # the rows that passed, then exit 1 (internal error)
        _emit(failure.rows, args.json, render)
        raise
    _emit(rows, args.json, render)


def build_parser() -> argparse.ArgumentParser:
    from seqmem import __version__

    parser = _Parser(prog="seqmem", description="The theory of memory in recurrent models.")
    parser.add_argument("--version", action="version", version=f"seqmem {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    kernels = commands.add_parser("kernels", help="list the kernel families and their parameters")
    kernels.add_argument("--json", action="store_true", help="machine-readable output")
    kernels.set_defaults(run=_command_kernels)

    demo = commands.add_parser(
        "demo", help="width-1..8 fits of short- and long-memory kernels (the curse of memory)"
    )
    demo.add_argument(
        "--kernels",
        nargs="+",
        default=[
            "gammabump(k=3)",
            "exp(rate=0.5)+gammabump(k=1)",
            "powerlaw(omega=1)",
            "powerlaw(omega=0.5)",
        ],
        metavar="SPEC",
    )
    demo.add_argument("--max-width", type=int, default=8)
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    demo.set_defaults(run=_command_demo)

    approx = commands.add_parser(
        "approx", help="approximation error vs width, the Hankel floor and the slowest rate"
    )
    approx.add_argument("spec", metavar="SPEC", help="kernel spec, e.g. 'powerlaw(omega=0.5)'")
    approx.add_argument("--widths", default="1,2,4,8,16")
    approx.add_argument("--method", default="fit", choices=["fit", "jackson", "balanced"])
    approx.add_argument("--beta", type=float, default=None, help="decay rate for --method jackson")
    approx.add_argument("--json", action="store_true", help="machine-readable output")
    approx.set_defaults(run=_command_approx)

    hsv = commands.add_parser(
        "hsv", help="Hankel singular values: the floor no width-m model beats"
    )
    hsv.add_argument("spec", metavar="SPEC")
    hsv.add_argument("--count", type=int, default=20)
    hsv.add_argument("--json", action="store_true", help="machine-readable output")
    hsv.set_defaults(run=_command_hsv)

    train = commands.add_parser(
        "train", help="train a linear or tanh RNN on a target and find its plateaus"
    )
    train.add_argument(
        "spec", metavar="SPEC", help="target kernel, e.g. 'exp(rate=3)+gammabump(k=5)'"
    )
    train.add_argument("--width", type=int, default=8)
    train.add_argument("--loss", default="population", choices=["population", "sampled"])
    train.add_argument("--model", default="linear", choices=["linear", "tanh"])
    train.add_argument("--optimizer", default="gd", choices=["gd", "momentum", "adam", "flow"])
    train.add_argument("--lr", type=float, default=None, help="learning rate (not for flow)")
    train.add_argument(
        "--steps", type=float, default=None, help="steps (flow: final flow time; default 1e6)"
    )
    train.add_argument("--record-every", type=int, default=None, help="steps per recorded loss")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--parameterisation",
        default="exp",
        choices=["exp", "softplus", "direct"],
        help="decay rates w = f(v)",
    )
    train.add_argument("--oscillating", action="store_true", help="damped-oscillation modes")
    train.add_argument("--json", action="store_true", help="machine-readable output")
    train.set_defaults(run=_command_train)

    plateau = commands.add_parser(
        "plateau", help="plateau length against memory for a target with a {t0} placeholder"
    )
    plateau.add_argument(
        "spec", metavar="SPEC", help="kernel spec with {t0}, e.g. 'exp(rate=3)+gammabump(k={t0})'"
    )
    plateau.add_argument("--memory", default="3,5,7,9", help="comma-separated t0 values")
    plateau.add_argument("--optimizer", default="flow", choices=["flow", "gd", "momentum", "adam"])
    plateau.add_argument("--lr", type=float, default=None, help="learning rate (not for flow)")
    plateau.add_argument("--width", type=int, default=4)
    plateau.add_argument("--init-rates", default="2.5,3.5", help="interval of the initial rates")
    plateau.add_argument("--init-weight", type=float, default=0.1)
    plateau.add_argument("--seed", type=int, default=0)
    plateau.add_argument("--escape", type=float, default=0.8, help="escape at J < escape·level")
    plateau.add_argument("--loss", default="population", choices=["population", "sampled"])
    plateau.add_argument("--model", default="linear", choices=["linear", "tanh"])
    plateau.add_argument(
        "--max-steps", type=float, default=None, help="largest step budget (flow: flow time)"
    )
    plateau.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    plateau.add_argument("--json", action="store_true", help="machine-readable output")
    plateau.set_defaults(run=_command_plateau)

    sweep = commands.add_parser(
        "sweep", help="run a TOML sweep config (resumes: only missing or failed runs run)"
    )
    sweep.add_argument("config", metavar="CONFIG.toml")
    sweep.add_argument("--store", default=None, help="results store (default seqmem-results/)")
    sweep.add_argument(
        "--executor", default="local", choices=["local", "dask"], help="process pool or Dask"
    )
    sweep.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    sweep.add_argument("--scheduler", default=None, help="a Dask scheduler address (implies dask)")
    sweep.add_argument("--dry-run", action="store_true", help="validate and count the runs")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    sweep.add_argument("--json", action="store_true", help="machine-readable output")
    sweep.set_defaults(run=_command_sweep)

    results = commands.add_parser("results", help="the runs in a results store")
    results.add_argument("--store", default=None, help="results store (default seqmem-results/)")
    results.add_argument("--status", default=None, choices=["done", "failed"])
    results.add_argument("--experiment", default=None)
    results.add_argument("--export", default=None, metavar="FILE.csv", help="write a CSV table")
    results.add_argument("--json", action="store_true", help="machine-readable output")
    results.set_defaults(run=_command_results)

    reproduce = commands.add_parser(
        "reproduce", help="run every experiment of the paper and write the report"
    )
    reproduce.add_argument("--quick", action="store_true", help="the quick plan (minutes)")
    reproduce.add_argument(
        "--mode", default="full", choices=["full", "quick", "smoke"], help="the plan to run"
    )
    reproduce.add_argument("--out", default="seqmem-report", help="output folder")
    reproduce.add_argument("--executor", default="local", choices=["local", "dask"])
    reproduce.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    reproduce.add_argument("--scheduler", default=None, help="a Dask scheduler address")
    reproduce.add_argument("--json", action="store_true", help="machine-readable output")
    reproduce.set_defaults(run=_command_reproduce)

    from seqmem.bench import BENCHMARKS

    bench = commands.add_parser(
        "bench", help="run the benchmarks (source checkout): times, baselines and ratios"
    )
    bench.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    bench.add_argument(
        "--only", default=None, help="comma-separated names: " + ",".join(BENCHMARKS)
    )
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.set_defaults(run=_command_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        args.run(args)
    except SeqmemError as error:
        print(f"seqmem: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqmem: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal error: still one line, status 1
        print(f"seqmem: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
