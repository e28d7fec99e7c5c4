"""Benchmark: sweep throughput with one worker and with two (local process pool and Dask).

Run ``python benchmarks/sweep.py`` (``--help`` for the flags). Two sweep configs are each
executed into fresh results stores in a temporary folder by
:func:`seqmem.sweep.execute.run_sweep`:

- ``examples/sweeps/plateau_lengths.toml`` (rows without a prefix): the reference plateau
  experiment at memories 6–9 × 4 optimisers × 4 seeds = 64 runs, ~20 s on one core, a
  sweep worth parallelising;
- ``examples/sweeps/quick.toml`` (rows prefixed ``quick_``): memories 3–6 × 4 optimisers ×
  2 seeds = 32 runs of ~0.01–0.2 s, ~5 s in all, where the fixed cost of starting workers
  (a Python process, the imports, the first compilations: ~1.5–2.5 s each) dominates.

Each config runs under three settings:

1. ``serial``: ``seqmem sweep CONFIG --workers 1`` (runs in the command's own process;
   the baseline);
2. ``pool_2``: ``--workers 2``, a spawned process pool of two workers;
3. ``dask_2``: ``--executor dask --workers 2``, a Dask ``LocalCluster`` of two
   single-threaded worker processes.

Each is one fresh command, timed end to end (interpreter start, imports, worker start-up and
compilations included: a user pays them all, and no setting inherits another's compiled
code), and the stored metrics of the three are compared (they must be identical). The
parallel rows have the serial run as baseline and are of kind ``speedup`` (see
``harness.py``): their ratio is the serial time over theirs, > 1 where two workers are
faster (the aim is a speedup ≥ 1.6× with 2 workers on 2 cores on the first config). The
time spent inside runs, from the store, is printed too, so that the fixed costs can be
told apart.

With ``--json`` stdout holds only the JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}; the notes go to stderr.
The exit status is 1 if the executors disagree.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Row, aim_column, emit, format_table

from seqmem.sweep.config import load_config
from seqmem.sweep.store import ResultsStore

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "sweeps"
#: row prefix → config
CONFIGS = {"": EXAMPLES / "plateau_lengths.toml", "quick_": EXAMPLES / "quick.toml"}
AIMS = {("pool_2", "serial"): ("≥", 1.6)}  # speedup of two workers, first config
SETTINGS = {
    "serial": ["--workers", "1"],
    "pool_2": ["--workers", "2"],
    "dask_2": ["--workers", "2", "--executor", "dask"],
}


def run(config_path: Path, prefix: str = "") -> tuple[list[Row], list[str], bool]:
    """Time the sweep under each setting; rows, notes, and whether the metrics agree."""
    config = load_config(config_path)
    seconds, metrics, busy = {}, {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for name, options in SETTINGS.items():
            path = Path(folder) / f"{name}.sqlite"
            command = [sys.executable, "-m", "seqmem", "sweep", str(config_path), "--store"]
            started = time.perf_counter()
            subprocess.run(
                [*command, str(path), "--no-progress", *options],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            seconds[name] = time.perf_counter() - started
            with ResultsStore(path) as store:
                runs = store.runs()
                metrics[name] = {r.id: r.metrics for r in runs}
                busy[name] = sum(r.seconds for r in runs)
    rows = [Row(f"{prefix}serial", seconds["serial"])]
    rows += [
        Row(f"{prefix}{name}", seconds[name], f"{prefix}serial", seconds["serial"], "speedup")
        for name in ("pool_2", "dask_2")
    ]
    count = len(config.runs)
    notes = [
        f"{count} runs of {config.experiment} ({config_path.name}); {os.cpu_count()} cores",
        *(
            f"  {prefix}{name}: {seconds[name]:.2f} s wall, {busy[name]:.2f} s inside runs "
            f"({busy[name] / count:.3f} s per run), "
            f"speedup {seconds['serial'] / seconds[name]:.2f}×"
            for name in SETTINGS
        ),
    ]
    agree = metrics["serial"] == metrics["pool_2"] == metrics["dask_2"]
    notes.append("  stored metrics identical across executors" if agree else "  METRICS DIFFER")
    return rows, notes, agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--config", type=Path, default=None, help="one sweep config instead of the two examples"
    )
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)
    configs = CONFIGS if args.config is None else {"": args.config}
    rows, notes, agree = [], [], True
    for prefix, path in configs.items():
        config_rows, config_notes, config_agree = run(path, prefix)
        rows, notes, agree = rows + config_rows, notes + config_notes, agree and config_agree
    emit(rows, notes, args.json, format_table(rows, {"aim": aim_column(AIMS)}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
