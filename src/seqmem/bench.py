"""``seqmem bench``: run the benchmark scripts of a source checkout and collect their rows.

The benchmarks live in ``benchmarks/`` beside ``src/`` (they import their shared harness
from there and measure baselines, e.g. ``scipy.signal.lfilter`` or a NumPy loop, in the same
process as the path they time). Each script prints, with ``--json``, a list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; this module runs them
one after another in fresh processes (one BLAS thread, so timings do not fight over cores)
and returns the concatenated rows, each name prefixed by its script ("recurrence.fft_path").

A row's ``kind`` says which way its ratio points (``benchmarks/harness.py``): "speedup",
ratio = a competitor's seconds / seqmem's (> 1: seqmem is faster); "x_floor", ratio =
seqmem's seconds / those of a floor it cannot beat (≥ 1: how far from the floor); None,
with ratio None, for a row without a baseline.

Each script runs with the flags of one of three tiers (:data:`BENCHMARKS`): "quick" (all
scripts together under 2 minutes on 2 cores: 83 s measured), "default" (about 5 minutes:
254 s measured; the sizes users run, with fewer repeats and without secondary cases; plain
``seqmem bench``) and "full" (each script's own defaults: every case and every repeat;
316 s measured on a quiet machine, much longer on a busy one).

A script signals a failed correctness check (its outputs disagree with a reference) by
exit status 1 after printing its rows; an uncaught exception also exits 1, with a
traceback on stderr. Any script that does not exit 0 with a JSON list on stdout has
failed: :func:`run_benchmarks` still runs the others, then raises
:class:`BenchmarkFailure` (an internal error, not a :class:`~seqmem.errors.SeqmemError`)
carrying the rows of the scripts that passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from seqmem.errors import SeqmemValueError

TIERS = ("quick", "default", "full")

#: script → tier → flags (module docstring). Seconds of each script alone, measured on the
#: project's 2-core machine with other work running: quick / default / full.
BENCHMARKS: dict[str, dict[str, list[str]]] = {
    "recurrence": {  # 7 / 27 / 45 s
        "quick": ["--length", "20000", "--repeats", "2"],
        "default": ["--repeats", "5"],
        "full": [],
    },
    "approximation": {  # 17 / 42 / 51 s
        "quick": ["--repeats", "1", "--budget", "5"],
        "default": ["--repeats", "2"],
        "full": [],
    },
    "dynamics": {  # 19 / 55 / 69 s
        "quick": ["--quick", "--repeats", "1"],
        "default": ["--repeats", "2"],
        "full": [],
    },
    "sweep": {  # 22–35 / 120 / 111–160 s: default, the 128 runs the speed-up aim is set on
        "quick": ["--config", "../examples/sweeps/quick.toml"],
        "default": ["--config", "../examples/sweeps/plateau_lengths.toml"],
        "full": [],
    },
    "scaling": {  # 14 / 18 / 20 s
        "quick": ["--max-length", "100000", "--repeats", "1"],
        "default": ["--repeats", "2"],
        "full": [],
    },
    "training": {"quick": ["--quick"], "default": [], "full": []},  # 18 / 21 / 21 s
}

_LAST_LINE_CHARS = 300


class BenchmarkFailure(RuntimeError):
    """One or more benchmark scripts failed (a correctness check, a crash, no rows).

    Attributes:
        failures: one line per failed script, naming it and how it failed.
        rows: the rows of the scripts that passed, as :func:`run_benchmarks` returns them.
    """

    def __init__(self, failures: list[str], rows: list[dict]) -> None:
        super().__init__("; ".join(failures))
        self.failures = failures
        self.rows = rows


def benchmark_folder() -> Path:
    """``benchmarks/`` of the source checkout this package runs from."""
    folder = Path(__file__).resolve().parents[2] / "benchmarks"
    if not (folder / "harness.py").is_file():
        raise SeqmemValueError(
            "seqmem bench needs the benchmarks/ folder of a source checkout (pip install -e); "
            f"none at {folder}"
        )
    return folder


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else "no output on stderr"
    return line if len(line) <= _LAST_LINE_CHARS else line[: _LAST_LINE_CHARS - 1] + "…"


def _failure(script: str, done: subprocess.CompletedProcess) -> str | None:
    """How the finished script failed (one line naming it and its status), or None."""
    status, last = done.returncode, _last_line(done.stderr)
    if status == 1 and "Traceback (most recent call last)" in done.stderr:
        return f"benchmark {script} crashed (exit status 1): {last}"
    if status == 1:
        return f"benchmark {script} failed its correctness check (exit status 1): {last}"
    if status < 0:
        return f"benchmark {script} was killed by signal {-status}"
    if status != 0:
        return f"benchmark {script} failed (exit status {status}): {last}"
    try:
        rows = json.loads(done.stdout)
    except json.JSONDecodeError:
        return f"benchmark {script} exited 0 but printed no JSON list of rows on stdout"
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and "name" in row for row in rows
    ):
        return f"benchmark {script} exited 0 but its JSON output is not a list of rows"
    return None


def _tier_flags(entry: Mapping[str, list[str]], tier: str) -> list[str]:
    """The flags of one script for ``tier``; an entry without a "default" runs its "full"."""
    if tier == "default" and tier not in entry:
        tier = "full"
    return entry[tier]


def run_benchmarks(
    names: list[str] | None = None,
    *,
    tier: str = "default",
    folder: str | os.PathLike | None = None,
    benchmarks: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> list[dict]:
    """Run the named benchmark scripts (default: all) and return their rows.

    Args:
        names: the scripts to run, keys of ``benchmarks`` (default: all of them).
        tier: "quick" (``seqmem bench --quick``), "default" (plain ``seqmem bench``) or
            "full" (``--full``: each script's own defaults), the flags of each script
            (:data:`BENCHMARKS`).
        folder: the folder holding the scripts ``NAME.py`` (default: :func:`benchmark_folder`).
        benchmarks: script → tier → flags (default: :data:`BENCHMARKS`).

    Raises:
        SeqmemValueError: an unknown name or tier, or no benchmarks/ folder.
        BenchmarkFailure: a script failed its correctness check, crashed or printed no
            rows; raised after every script has run, with the rows of those that passed.
    """
    if tier not in TIERS:
        raise SeqmemValueError(f"unknown benchmark tier {tier!r}; choose from {', '.join(TIERS)}")
    benchmarks = BENCHMARKS if benchmarks is None else benchmarks
    names = list(benchmarks) if names is None else names
    unknown = [n for n in names if n not in benchmarks]
    if unknown:
        raise SeqmemValueError(
            f"unknown benchmark {unknown[0]!r}; choose from {', '.join(benchmarks)}"
        )
    folder = benchmark_folder() if folder is None else Path(folder)
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    rows: list[dict] = []
    failures: list[str] = []
    for name in names:
        flags = _tier_flags(benchmarks[name], tier)
        script = f"{name}.py"
        done = subprocess.run(
            [sys.executable, str(folder / script), *flags, "--json"],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
        )
        failure = _failure(script, done)
        if failure is not None:
            failures.append(failure)
            continue
        rows.extend({**row, "name": f"{name}.{row['name']}"} for row in json.loads(done.stdout))
    if failures:
        raise BenchmarkFailure(failures, rows)
    return rows
