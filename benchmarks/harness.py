"""What every benchmark script shares: the result row of the JSON contract and argument parsing."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the result table: a time, and optionally its ratio to a baseline."""

    name: str
    seconds: float
    baseline: str | None = None
    baseline_seconds: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline_seconds is None:
            return None
        return self.seconds / self.baseline_seconds

    def to_json(self) -> dict[str, object]:
        """{"name", "seconds", "baseline", "baseline_seconds", "ratio"} (``seqmem bench``)."""
        return {
            "name": self.name,
            "seconds": self.seconds,
            "baseline": self.baseline,
            "baseline_seconds": self.baseline_seconds,
            "ratio": self.ratio,
        }


def positive_count(text: str) -> int:
    """A positive integer, also written as a float literal such as 1e5 (an argparse type)."""
    value = float(text)
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def emit(rows: list[Row], notes: list[str], as_json: bool, table: str) -> None:
    """Print the rows: as the JSON list of ``seqmem bench`` (notes to stderr), or the table."""
    if as_json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
        print("\n".join(notes), file=sys.stderr)
    else:
        print(table)
        print()
        print("\n".join(notes))
