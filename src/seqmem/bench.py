"""``seqmem bench``: run the benchmark scripts of a source checkout and collect their rows.

The benchmarks live in ``benchmarks/`` beside ``src/`` (they import their shared harness
from there and measure baselines, e.g. ``scipy.signal.lfilter`` or a NumPy loop, in the same
process as the path they time). Each script prints, with ``--json``, a list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio"}; this module runs them one after
another in fresh processes (one BLAS thread, so timings do not fight over cores) and
returns the concatenated rows, each name prefixed by its script ("recurrence.fft_path").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seqmem.errors import SeqmemError, SeqmemValueError

#: script → flags for the "quick" and the "full" run
BENCHMARKS: dict[str, dict[str, list[str]]] = {
    "recurrence": {"quick": ["--length", "20000", "--repeats", "2"], "full": []},
    "approximation": {"quick": ["--repeats", "1"], "full": []},
    "dynamics": {"quick": ["--quick", "--repeats", "1"], "full": []},
    "sweep": {"quick": ["--config", "../examples/sweeps/quick.toml"], "full": []},
    "scaling": {"quick": ["--max-length", "100000", "--repeats", "1"], "full": []},
}


def benchmark_folder() -> Path:
    """``benchmarks/`` of the source checkout this package runs from."""
    folder = Path(__file__).resolve().parents[2] / "benchmarks"
    if not (folder / "harness.py").is_file():
        raise SeqmemValueError(
            "seqmem bench needs the benchmarks/ folder of a source checkout (pip install -e); "
            f"none at {folder}"
        )
    return folder


def run_benchmarks(names: list[str] | None = None, *, quick: bool = False) -> list[dict]:
    """Run the named benchmark scripts (default: all) and return their rows."""
    names = list(BENCHMARKS) if names is None else names
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SeqmemValueError(
            f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}"
        )
    folder = benchmark_folder()
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    rows = []
    for name in names:
        flags = BENCHMARKS[name]["quick" if quick else "full"]
        done = subprocess.run(
            [sys.executable, str(folder / f"{name}.py"), *flags, "--json"],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
        )
        if done.returncode not in (0, 1):  # 1: the script ran but a check disagreed
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SeqmemError(f"benchmark {name} failed (exit {done.returncode}): {last}")
        rows.extend({**row, "name": f"{name}.{row['name']}"} for row in json.loads(done.stdout))
    return rows
