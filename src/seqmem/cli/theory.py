"""Commands on kernels and their approximation: kernels, demo, approx, hsv."""

from __future__ import annotations

import argparse
import sys

from seqmem.cli.arguments import emit, parse_widths
from seqmem.errors import check_integer


def command_kernels(args: argparse.Namespace) -> None:
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

    emit(describe_families(), args.json, render)


def command_demo(args: argparse.Namespace) -> None:
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

    emit(result, args.json, render)


def command_approx(args: argparse.Namespace) -> None:
    from seqmem.experiments.approximation import approximation_table
    from seqmem.kernels import from_spec

    table = approximation_table(
        from_spec(args.spec), parse_widths(args.widths), method=args.method, beta=args.beta
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

    emit(table.as_dict(), args.json, render)


def command_hsv(args: argparse.Namespace) -> None:
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

    emit(result, args.json, render)
