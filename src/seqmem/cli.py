"""The ``seqmem`` command.

Every command accepts ``--json`` (the machine-readable result alone on stdout) and
exits 0 on success, 2 on bad input (one line on stderr, no traceback) and 1 on an
internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
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
    from seqmem.approximation import geometric_fit
    from seqmem.kernels import from_spec

    max_width = check_integer("--max-width", args.max_width, owner="seqmem demo", minimum=1)
    start = time.perf_counter()
    widths = list(range(1, max_width + 1))
    rows = {}
    for spec in args.kernels:
        kernel = from_spec(spec)
        rows[kernel.spec] = [geometric_fit(kernel, m).relative_l2_error for m in widths]
    result = {"widths": widths, "relative_l2_error": rows, "seconds": time.perf_counter() - start}

    def render(result):
        head = "relative L² error of the best width-m fit with geometric decay rates\n"
        lines = [head + f"{'kernel':<28}" + "".join(f"{m:>10d}" for m in widths)]
        for spec, errors in rows.items():
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


def _approximant(kernel, width: int, method: str, beta: float | None, previous):
    import numpy as np

    """(model, l1, l2, slowest significant decay rate) of one width by one construction."""
    from seqmem.approximation import (
        approximation_errors,
        balanced_truncation,
        best_fit,
        jackson_approximant,
    )

    if method == "fit":
        fit = best_fit(kernel, width, start=previous)
        return fit.model, fit.l1_error, fit.l2_error, fit.slowest_rate
    if method == "balanced":
        model = balanced_truncation(kernel, width)
    elif method == "jackson":
        model = jackson_approximant(kernel, width, beta=beta).model
    else:
        raise SeqmemValueError(f"--method must be fit, jackson or balanced; got {method!r}")
    slowest = float(np.min(-np.real(model.eigenvalues)))
    return (model, *approximation_errors(kernel, model), slowest)


def _command_approx(args: argparse.Namespace) -> None:
    import numpy as np

    from seqmem.approximation import hankel_singular_values, rate_fit
    from seqmem.kernels import from_spec

    kernel = from_spec(args.spec)
    widths = _parse_widths(args.widths)
    beta = args.beta
    if args.method == "jackson" and beta is None:
        terms = kernel.exponential_terms()
        if terms is None:
            raise SeqmemValueError("--method jackson needs --beta (the decay rate e^{−βt} of ρ)")
        beta = float(np.min(terms[1].real))
    floor = hankel_singular_values(kernel, max(widths) + 1)
    l1, l2, slowest, previous = [], [], [], None
    for width in widths:
        model, l1_error, l2_error, rate = _approximant(kernel, width, args.method, beta, previous)
        previous = model
        l1.append(l1_error)
        l2.append(l2_error)
        slowest.append(rate)
    resolved = sum(error > 0 for error in l1)
    fitted = rate_fit(widths, l1).as_dict() if resolved >= 3 else None
    result = {
        "kernel": kernel.spec,
        "widths": widths,
        "l1_error": l1,
        "l2_error": l2,
        "hsv_floor": [float(floor[m]) for m in widths],
        "slowest_rate": slowest,
        "rate_fit": fitted,
    }

    def render(result):
        lines = [
            f"{result['kernel']}  ({args.method})",
            f"{'m':>4} {'L1 error':>12} {'L2 error':>12} {'σ_(m+1)':>12} {'slowest rate':>13}",
        ]
        for row in zip(widths, l1, l2, result["hsv_floor"], slowest, strict=True):
            lines.append(
                f"{row[0]:>4d} {row[1]:>12.4e} {row[2]:>12.4e} {row[3]:>12.4e} {row[4]:>13.4e}"
            )
        if fitted:
            adverb = {"exponential": "exponentially", "algebraic": "algebraically"}[fitted["kind"]]
            lines.append(
                f"L1 error falls {adverb}, exponent {fitted['exponent']:.3g} "
                f"(r² {fitted['r2']:.3f})"
            )
        return "\n".join(lines)

    _emit(result, args.json, render)


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
