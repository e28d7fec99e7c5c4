"""What every command shares: the argument parser's error rule, number lists, output."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable

from seqmem.errors import SeqmemValueError


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SeqmemValueError(message)


def emit(result: object, as_json: bool, render: Callable[[object], str]) -> None:
    """Print the result: as JSON alone, or rendered for a reader."""
    print(json.dumps(result) if as_json else render(result))


def parse_widths(text: str) -> list[int]:
    """A comma-separated list of integers ≥ 1 (``--widths``)."""
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise SeqmemValueError(
            f"--widths must be a comma-separated list of integers; got {text!r}"
        ) from error
    if not widths or min(widths) < 1:
        raise SeqmemValueError(f"--widths must be integers ≥ 1; got {text!r}")
    return widths


def parse_numbers(flag: str, text: str, *, count: int | None = None) -> list[float]:
    """A comma-separated list of finite numbers (exactly ``count`` of them when given)."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise SeqmemValueError(f"{flag} must be comma-separated numbers; got {text!r}") from error
    if not values or not all(math.isfinite(v) for v in values):
        raise SeqmemValueError(f"{flag} must be finite numbers; got {text!r}")
    if count is not None and len(values) != count:
        raise SeqmemValueError(f"{flag} needs {count} numbers; got {text!r}")
    return values
