"""Commands on training: train (on a kernel), plateau (length against memory), fit (on data)."""

from __future__ import annotations

import argparse
import sys

from seqmem.cli.arguments import emit, parse_numbers


def command_train(args: argparse.Namespace) -> None:
    from seqmem.dynamics import train
    from seqmem.kernels import from_spec

    kernel = from_spec(args.spec)
    run = train(
        kernel,
        args.width,
        loss=args.loss,
        model=args.model,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        steps=args.steps,
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

    emit(result, args.json, render)


def command_plateau(args: argparse.Namespace) -> None:
    from seqmem.experiments.plateaus import plateau_sweep

    memories = parse_numbers("--memory", args.memory)
    init_rates = tuple(parse_numbers("--init-rates", args.init_rates, count=2))
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

    emit(result, args.json, render)


def command_fit(args: argparse.Namespace) -> None:
    from seqmem.data_fit import fit_record

    fit = fit_record(
        args.data,
        args.input,
        args.output,
        dt=args.dt,
        width=args.width,
        model=args.model,
        epochs=args.epochs,
        batch=args.batch,
        learning_rate=args.lr,
        validation=args.validation,
        patience=args.patience,
        length=args.length,
        burn_in=args.burn_in,
        seed=args.seed,
        out=args.out,
    )

    def render(result):
        validation = (
            "no validation set"
            if result["validation_loss"] is None
            else f"validation loss {result['validation_loss']:.4g}"
        )
        train_count, held_out = result["sequences"]
        return "\n".join(
            [
                f"width {result['width']}: {result['epochs']} epochs on {train_count} sequences "
                f"({held_out} held out) in {result['seconds']:.1f} s",
                f"train loss {result['train_loss']:.4g}, {validation} "
                f"(epoch {result['best_epoch']} kept)",
                f"model: {result['model']}",
            ]
        )

    emit(fit.as_dict(), args.json, render)
