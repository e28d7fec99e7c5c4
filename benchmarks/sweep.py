"""Benchmark: sweep throughput with one worker and with two (local process pool and Dask).

Run ``python benchmarks/sweep.py`` (``--help`` for the flags). One sweep config, the
quick example's grid by default (``examples/sweeps/quick.toml``: the reference plateau
experiment at 4 memories × 4 optimisers × 2 seeds = 32 runs), is executed into a fresh
results store in a temporary folder by :func:`seqmem.sweep.execute.run_sweep`:

1. ``serial``: one worker, in this process (the baseline);
2. ``pool_2``: a spawned process pool of two workers;
3. ``dask_2``: a Dask ``LocalCluster`` of two single-threaded worker processes.

Each is timed end to end, worker start-up included (a user pays it), and the stored
metrics of the three are compared (they must be identical). The ratio printed for the
parallel rows is their time over the serial time: the speedup is its inverse (the aim of
issue 7 is ≥ 1.6× on 2 cores). Per-run cost is also reported from the store's timings, so
the fixed costs (process start, JAX import, compilation per run) can be told apart.

With ``--json`` stdout holds only the JSON list of rows
{"name", "seconds", "baseline", "baseline_seconds", "ratio"}; the notes go to stderr.
The exit status is 1 if the executors disagree.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from harness import Row, emit

from seqmem.sweep.config import load_config
from seqmem.sweep.execute import run_sweep
from seqmem.sweep.store import ResultsStore

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "examples" / "sweeps" / "quick.toml"
SETTINGS = {
    "serial": {"workers": 1},
    "pool_2": {"workers": 2},
    "dask_2": {"workers": 2, "executor": "dask"},
}


def run(config_path: Path) -> tuple[list[Row], list[str], bool]:
    """Time the sweep under each setting; rows, notes, and whether the metrics agree."""
    config = load_config(config_path)
    seconds, metrics, busy = {}, {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for name, options in SETTINGS.items():
            with ResultsStore(Path(folder) / f"{name}.sqlite") as store:
                started = time.perf_counter()
                run_sweep(config, store, progress=False, **options)
                seconds[name] = time.perf_counter() - started
                runs = store.runs()
                metrics[name] = {r.id: r.metrics for r in runs}
                busy[name] = sum(r.seconds for r in runs)
    rows = [Row("serial", seconds["serial"])]
    rows += [Row(name, seconds[name], "serial", seconds["serial"]) for name in ("pool_2", "dask_2")]
    count = len(config.runs)
    notes = [
        f"{count} runs of {config.experiment} ({config_path.name}); {os.cpu_count()} cores",
        *(
            f"{name}: {seconds[name]:.2f} s wall, {busy[name]:.2f} s inside runs "
            f"({busy[name] / count:.3f} s per run), "
            f"speedup {seconds['serial'] / seconds[name]:.2f}×"
            for name in SETTINGS
        ),
    ]
    agree = metrics["serial"] == metrics["pool_2"] == metrics["dask_2"]
    notes.append("stored metrics identical across executors" if agree else "METRICS DIFFER")
    return rows, notes, agree


def format_table(rows: list[Row]) -> str:
    """A fixed-width table: name, seconds, baseline, ratio (parallel / serial time)."""
    header = f"{'name':<10} {'seconds':>9}  {'baseline':<10} {'ratio':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:7.3f}"
        lines.append(f"{r.name:<10} {r.seconds:9.2f}  {r.baseline or '':<10} {ratio:>7}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="a sweep config")
    parser.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    args = parser.parse_args(argv)
    rows, notes, agree = run(args.config)
    emit(rows, notes, args.json, format_table(rows))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
