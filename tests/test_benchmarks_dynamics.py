"""Smoke test of ``benchmarks/dynamics.py``: a quick run keeps the JSON contract and agrees."""

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
    for row in rows:
        assert set(row) == {"name", "seconds", "baseline", "baseline_seconds", "ratio"}
        assert row["seconds"] > 0
