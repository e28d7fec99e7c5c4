"""``seqmem bench``: run the benchmark scripts of a source checkout and collect their rows.

The benchmarks live in ``benchmarks/`` beside ``src/`` (they import their shared harness
from there and measure baselines, e.g. ``scipy.signal.lfilter`` or a NumPy loop, in the same
process as the path they time). Each script prints, with ``--json``, a list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio"}; this module runs them one after
another in fresh processes (one BLAS thread, so timings do not fight over cores) and
returns the concatenated rows, each name prefixed by its script ("recurrence.fft_path").

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

#: script → flags for the "quick" and the "full" run
BENCHMARKS: dict[str, dict[str, list[str]]] = {
    "recurrence": {"quick": ["--length", "20000", "--repeats", "2"], "full": []},
    "approximation": {"quick": ["--repeats", "1"], "full": []},
    "dynamics": {"quick": ["--quick", "--repeats", "1"], "full": []},
    "sweep": {"quick": ["--config", "../examples/sweeps/quick.toml"], "full": []},
    "scaling": {"quick": ["--max-length", "100000", "--repeats", "1"], "full": []},
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


def run_benchmarks(
    names: list[str] | None = None,
    *,
    quick: bool = False,
    folder: str | os.PathLike | None = None,
    benchmarks: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> list[dict]:
    """Run the named benchmark scripts (default: all) and return their rows.

    Args:
        names: the scripts to run, keys of ``benchmarks`` (default: all of them).
        quick: the "quick" flags of each script instead of the "full" ones.
        folder: the folder holding the scripts ``NAME.py`` (default: :func:`benchmark_folder`).
        benchmarks: script → {"quick": flags, "full": flags} (default: :data:`BENCHMARKS`).

    Raises:
        SeqmemValueError: an unknown name, or no benchmarks/ folder.
        BenchmarkFailure: a script failed its correctness check, crashed or printed no
            rows; raised after every script has run, with the rows of those that passed.
    """
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
        flags = benchmarks[name]["quick" if quick else "full"]
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
