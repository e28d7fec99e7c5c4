"""Smoke test of ``benchmarks/dynamics.py``: a quick run keeps the JSON contract and agrees,
and its ratios point the way their kind says."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.benchmark
def test_dynamics_benchmark_quick_run_prints_rows_and_agrees():
    result = subprocess.run(
        [sys.executable, "benchmarks/dynamics.py", "--quick", "--repeats", "1", "--json"],
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # 1: a route disagreed with the NumPy loop
    rows = json.loads(result.stdout)
    names = {row["name"] for row in rows}
    assert {"population_gd_m16", "numpy_loop_m16", "plateau_sweep_flow"} <= names
    keys = {"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}
    for row in rows:
        assert set(row) == keys
        assert row["seconds"] > 0
        assert (row["kind"] is None) == (row["baseline"] is None) == (row["ratio"] is None)
    kinds = {(row["name"], row["baseline"]): row for row in rows}
    # the NumPy loop is timed with the library as its baseline: ratio = NumPy / library
    loop = kinds["numpy_loop_m16", "population_gd_m16"]
    assert loop["kind"] == "speedup"
    assert loop["ratio"] == pytest.approx(loop["seconds"] / loop["baseline_seconds"])
    assert loop["ratio"] > 1  # far slower than the library: a win
    # momentum against GD, and GD against the bare scan: seqmem over its floor
    for name, floor in [
        ("population_momentum_m16", "population_gd_m16"),
        ("population_gd_m16", "jax_scan_floor_m16"),
    ]:
        row = kinds[name, floor]
        assert row["kind"] == "x_floor"
        assert row["ratio"] == pytest.approx(row["seconds"] / row["baseline_seconds"])
