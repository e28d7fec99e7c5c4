"""The argument parser of the ``seqmem`` command: one subcommand per task."""

from __future__ import annotations

import argparse

from seqmem.cli.arguments import Parser
from seqmem.cli.theory import command_approx, command_demo, command_hsv, command_kernels
from seqmem.cli.training import command_fit, command_plateau, command_train
from seqmem.cli.workflows import (
    command_bench,
    command_reproduce,
    command_results,
    command_sweep,
)


def build_parser() -> argparse.ArgumentParser:
    from seqmem import __version__

    parser = Parser(prog="seqmem", description="The theory of memory in recurrent models.")
    parser.add_argument("--version", action="version", version=f"seqmem {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    kernels = commands.add_parser("kernels", help="list the kernel families and their parameters")
    kernels.add_argument("--json", action="store_true", help="machine-readable output")
    kernels.set_defaults(run=command_kernels)

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
    demo.set_defaults(run=command_demo)

    approx = commands.add_parser(
        "approx", help="approximation error vs width, the Hankel floor and the slowest rate"
    )
    approx.add_argument("spec", metavar="SPEC", help="kernel spec, e.g. 'powerlaw(omega=0.5)'")
    approx.add_argument("--widths", default="1,2,4,8,16")
    approx.add_argument("--method", default="fit", choices=["fit", "jackson", "balanced"])
    approx.add_argument("--beta", type=float, default=None, help="decay rate for --method jackson")
    approx.add_argument("--json", action="store_true", help="machine-readable output")
    approx.set_defaults(run=command_approx)

    hsv = commands.add_parser(
        "hsv", help="Hankel singular values: the floor no width-m model beats"
    )
    hsv.add_argument("spec", metavar="SPEC")
    hsv.add_argument("--count", type=int, default=20)
    hsv.add_argument("--json", action="store_true", help="machine-readable output")
    hsv.set_defaults(run=command_hsv)

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
    train.set_defaults(run=command_train)

    fit = commands.add_parser(
        "fit", help="train a recurrent model on an input→output record and save it"
    )
    fit.add_argument("data", metavar="DATA", help="a .csv (columns) or .npz (arrays) file")
    fit.add_argument("--input", required=True, metavar="COL", help="the input column or array")
    fit.add_argument("--output", required=True, metavar="COL", help="the output column or array")
    fit.add_argument("--dt", type=float, required=True, help="the sampling step Δ")
    fit.add_argument("--width", type=int, required=True, help="hidden units m")
    fit.add_argument("--model", default="linear", choices=["linear", "complex", "dense", "tanh"])
    fit.add_argument("--epochs", type=int, default=20)
    fit.add_argument("--batch", type=int, default=32, help="sequences per step")
    fit.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    fit.add_argument("--validation", type=float, default=0.1, help="held-out fraction")
    fit.add_argument("--patience", type=int, default=None, help="early stopping (epochs)")
    fit.add_argument("--length", type=int, default=None, help="cut records into windows")
    fit.add_argument("--burn-in", type=int, default=0, help="outputs left out of the loss")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument(
        "--out",
        default=None,
        metavar="MODEL",
        help="model file (default: DATA stem + .model.npz)",
    )
    fit.add_argument("--json", action="store_true", help="machine-readable output")
    fit.set_defaults(run=command_fit)

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
    plateau.set_defaults(run=command_plateau)

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
    sweep.set_defaults(run=command_sweep)

    results = commands.add_parser("results", help="the runs in a results store")
    results.add_argument("--store", default=None, help="results store (default seqmem-results/)")
    results.add_argument("--status", default=None, choices=["done", "failed"])
    results.add_argument("--experiment", default=None)
    results.add_argument("--export", default=None, metavar="FILE.csv", help="write a CSV table")
    results.add_argument("--json", action="store_true", help="machine-readable output")
    results.set_defaults(run=command_results)

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
    reproduce.set_defaults(run=command_reproduce)

    from seqmem.bench import BENCHMARKS

    bench = commands.add_parser(
        "bench", help="run the benchmarks (source checkout): times, baselines and ratios"
    )
    tiers = bench.add_mutually_exclusive_group()
    tiers.add_argument(
        "--quick", dest="tier", action="store_const", const="quick", help="under 2 minutes"
    )
    tiers.add_argument(
        "--full", dest="tier", action="store_const", const="full", help="every size and repeat"
    )
    bench.set_defaults(tier="default")  # about 5 minutes
    bench.add_argument(
        "--only", default=None, help="comma-separated names: " + ",".join(BENCHMARKS)
    )
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.set_defaults(run=command_bench)
    return parser
