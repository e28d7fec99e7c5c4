"""What every benchmark script shares: the result row of the JSON contract and argument parsing.

A row with a baseline says which way its ratio points (``kind``):

- ``"speedup"``: seqmem against a competitor (a NumPy loop, SciPy, a serial run, an
  alternative path). ratio = competitor's seconds / seqmem's seconds, so > 1 is a win
  for seqmem and < 1 a loss. Either time may be seqmem's: ``seqmem="seconds"`` (the
  default) when the row times seqmem and its baseline is the competitor,
  ``seqmem="baseline"`` when the row times the competitor (e.g. ``numpy_loop_m16``
  against ``population_gd_m16``). Where both are seqmem's (two workers against one,
  the scan path against the FFT path) the row's own path is seqmem's, so the ratio is
  the speed-up of the row's path over its baseline.
- ``"x_floor"``: a seqmem path against a floor it cannot beat (the FFTs any FFT
  convolution needs, the FLOPs at the matrix-product rate, a cheaper path it does more
  work than, such as momentum against plain GD). ratio = the path's seconds / the
  floor's seconds, ≥ 1 (up to timing noise): how far the path is from the floor. The
  row times the path, its baseline is the floor.

A row without a baseline has ratio and kind None.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["speedup", "x_floor"]
KINDS = ("speedup", "x_floor")
#: (name, baseline) → (comparison "≤" or "≥", bound): an aim on a row's ratio, or on its
#: seconds where the baseline is None
Aims = Mapping[tuple[str, str | None], tuple[str, float]]


@dataclass(frozen=True)
class Row:
    """One line of the result table: a time, and optionally its ratio to a baseline.

    Attributes:
        name: what ``seconds`` timed.
        seconds: its time.
        baseline: what it is compared with (None: no comparison).
        baseline_seconds: the baseline's time.
        kind: "speedup" or "x_floor" (module docstring), required with a baseline.
        seqmem: which of the two times is seqmem's, "seconds" or "baseline" (only a
            speedup row may time the competitor and take seqmem as its baseline).
    """

    name: str
    seconds: float
    baseline: str | None = None
    baseline_seconds: float | None = None
    kind: Kind | None = None
    seqmem: Literal["seconds", "baseline"] = "seconds"

    def __post_init__(self) -> None:
        if (self.baseline is None) != (self.baseline_seconds is None):
            raise ValueError(f"row {self.name}: a baseline needs both its name and its seconds")
        if (self.baseline is None) != (self.kind is None):
            raise ValueError(f"row {self.name}: a kind ({' or '.join(KINDS)}) goes with a baseline")
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"row {self.name}: unknown kind {self.kind!r}")
        if self.seqmem not in ("seconds", "baseline"):
            raise ValueError(f"row {self.name}: seqmem is 'seconds' or 'baseline'")
        if self.kind == "x_floor" and self.seqmem != "seconds":
            raise ValueError(
                f"row {self.name}: an x_floor row times seqmem, the floor is its baseline"
            )

    @classmethod
    def from_times(
        cls,
        times: Mapping[str, float],
        name: str,
        baseline: str | None = None,
        kind: Kind | None = None,
        seqmem: Literal["seconds", "baseline"] = "seconds",
    ) -> Row:
        """The row of ``name`` against ``baseline``, both looked up in ``times``."""
        baseline_seconds = None if baseline is None else times[baseline]
        return cls(name, times[name], baseline, baseline_seconds, kind, seqmem)

    @property
    def ratio(self) -> float | None:
        """speedup: competitor / seqmem; x_floor: seqmem / floor; None without a baseline."""
        if self.baseline_seconds is None:
            return None
        if self.kind == "speedup" and self.seqmem == "seconds":
            return self.baseline_seconds / self.seconds
        return self.seconds / self.baseline_seconds

    def to_json(self) -> dict[str, object]:
        """The row as ``seqmem bench --json`` prints it: {"name", "seconds", "baseline",
        "baseline_seconds", "ratio", "kind"}."""
        return {
            "name": self.name,
            "seconds": self.seconds,
            "baseline": self.baseline,
            "baseline_seconds": self.baseline_seconds,
            "ratio": self.ratio,
            "kind": self.kind,
        }


def positive_count(text: str) -> int:
    """A positive integer, also written as a float literal such as 1e5 (an argparse type)."""
    value = float(text)
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def format_table(rows: list[Row], columns: Mapping[str, Callable[[Row], str]] | None = None) -> str:
    """A fixed-width table: name, seconds, baseline, ratio, kind, then ``columns`` (title →
    the cell of a row, e.g. an aim)."""
    columns = columns or {}
    cells = [
        [
            r.name,
            f"{r.seconds:.4g}",
            r.baseline or "",
            "" if r.ratio is None else f"{r.ratio:.3g}",
            r.kind or "",
            *(cell(r) for cell in columns.values()),
        ]
        for r in rows
    ]
    titles = ["name", "seconds", "baseline", "ratio", "kind", *columns]
    widths = [max(len(values[i]) for values in [titles, *cells]) for i in range(len(titles))]
    right = {1, 3}  # numbers

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if i in right else value.ljust(width)
            for i, (value, width) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    header = line(titles)
    return "\n".join([header, "-" * len(header), *(line(values) for values in cells)])


def aim_column(
    aims: Aims, show: Callable[[Row, str, float], str] | None = None
) -> Callable[[Row], str]:
    """A table column (for :func:`format_table`): a row's aim and whether it is met, e.g.
    "≥ 10 (met)"; ``show(row, comparison, bound)`` writes the aim (default "≥ 10")."""

    def cell(row: Row) -> str:
        if (row.name, row.baseline) not in aims:
            return ""
        comparison, bound = aims[(row.name, row.baseline)]
        value = row.seconds if row.baseline is None else row.ratio
        met = value <= bound if comparison == "≤" else value >= bound
        shown = f"{comparison} {bound:g}" if show is None else show(row, comparison, bound)
        return f"{shown} ({'met' if met else 'NOT met'})"

    return cell


def emit(rows: list[Row], notes: list[str], as_json: bool, table: str | None = None) -> None:
    """Print the rows: as the JSON list of ``seqmem bench`` (notes to stderr), or the table
    (default: :func:`format_table` of the rows)."""
    if table is None:
        table = format_table(rows)
    if as_json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
        print("\n".join(notes), file=sys.stderr)
    else:
        print(table)
        print()
        print("\n".join(notes))
