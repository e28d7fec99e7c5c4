"""Sweeps: config validation, resumable execution, determinism across executors, the CLI."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seqmem import SeqmemValueError
from seqmem.experiments.registry import execute, normalise
from seqmem.sweep.config import load_config, parse_config
from seqmem.sweep.execute import run_sweep
from seqmem.sweep.store import ResultsStore

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "sweeps"

SMALL = """
experiment = "plateau"
name = "small"
[grid]
memory = [3, 4]
optimizer = ["flow", "gd", "adam"]
"""


def test_quick_example_has_20_to_40_runs():
    config = load_config(EXAMPLES / "quick.toml")
    assert 20 <= len(config.runs) <= 40
    assert len({run.id for run in config.runs}) == len(config.runs)


def test_grid_expansion_and_normalisation():
    config = parse_config(SMALL)
    assert [(r.params["memory"], r.params["optimizer"]) for r in config.runs] == [
        (3.0, "flow"), (3.0, "gd"), (3.0, "adam"), (4.0, "flow"), (4.0, "gd"), (4.0, "adam"),
    ]  # fmt: skip
    # defaults filled in: the run is fully described by its stored config
    assert config.runs[0].params["template"] == "exp(rate=3)+gammabump(k={t0})"
    # the same point written differently is the same run (same id)
    again = parse_config(SMALL.replace("[3, 4]", "[3.0, 4.0]"))
    assert [r.id for r in again.runs] == [r.id for r in config.runs]
    # another version of seqmem: other ids
    assert parse_config(SMALL, version="0.0.0").runs[0].id != config.runs[0].id


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('experiment = "nope"', "unknown experiment 'nope'"),
        ("[grid]\nmemory = [3]", "missing 'experiment'"),
        ('experiment = "plateau"\n[grid]\nmemory = []', "grid entry 'memory' is empty"),
        ('experiment = "plateau"\n[grid]\nmemori = [3]', "unknown parameter 'memori'"),
        ('experiment = "plateau"\n[grid]\nmemory = ["three"]', "'memory' .* finite number"),
        ('experiment = "plateau"\n[grid]\nmemory = 3', "must be an array"),
        ('experiment = "plateau"\n[fixed]\nwidth = 2.5\n[grid]\nmemory = [3]', "integer"),
        ('experiment = "plateau"\n[grid]\nmemory = [3]\noptimizer = ["sgd"]', "one of flow"),
        ('experiment = "plateau"\nextra = 1\n[grid]\nmemory = [3]', "unknown key 'extra'"),
        ('experiment = "plateau"\n[grid]\nmemory = [3', "not valid TOML"),
        ('experiment = "plateau"', "needs the parameter 'memory'"),
        (
            'experiment = "plateau"\n[fixed]\nmemory = 3\n[grid]\nmemory = [3]',
            "both fixed and in the grid",
        ),
    ],
)
def test_malformed_configs(text, match):
    with pytest.raises(SeqmemValueError, match=match):
        parse_config(text)


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    config = parse_config(
        'experiment = "approx"\n[grid]\nspec = ["exp(rate=1)", "powerlaw(omega=1)"]\n'
        "width = [1, 2]\n"
    )
    # a width the kernel cannot have: best_fit of an exponential with a negative rate
    bad = parse_config('experiment = "approx"\n[grid]\nspec = ["exp(rate=1)"]\nwidth = [0]\n')
    with ResultsStore(tmp_path / "r.sqlite") as store:
        summary = run_sweep(bad, store, workers=1, progress=False)
        assert summary.failed == 1
        (failed,) = store.runs(status="failed")
        assert "width" in failed.error
        summary = run_sweep(config, store, workers=1, progress=False)
        assert (summary.executed, summary.failed) == (4, 0)
        assert store.counts() == {"done": 4, "failed": 1}


def test_local_workers_share_one_queue(tmp_path):
    # three workers = this process's thread + two spawned processes; every run, failing or
    # not, is executed exactly once and lands in the store with the serial outcome
    config = parse_config(
        'experiment = "approx"\n[grid]\nspec = ["exp(rate=1)", "powerlaw(omega=1)"]\n'
        "width = [0, 1, 2]\n"
    )
    outcomes = {}
    for workers in (1, 3):
        with ResultsStore(tmp_path / f"w{workers}.sqlite") as store:
            summary = run_sweep(config, store, workers=workers, progress=False)
            assert (summary.executed, summary.failed) == (6, 2)
            outcomes[workers] = {run.id: (run.status, run.metrics) for run in store.runs()}
    assert outcomes[1] == outcomes[3] and len(outcomes[3]) == 6


def _metrics(store):
    return {run.id: run.metrics for run in store.runs()}


def test_one_worker_two_workers_and_dask_store_identical_metrics(tmp_path):
    config = parse_config(SMALL)
    stored = {}
    for label, options in {
        "serial": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"workers": 2, "executor": "dask"},
    }.items():
        with ResultsStore(tmp_path / f"{label}.sqlite") as store:
            summary = run_sweep(config, store, progress=False, **options)
            assert (summary.executed, summary.failed) == (6, 0)
            stored[label] = _metrics(store)
    assert stored["serial"] == stored["pool"] == stored["dask"]  # bitwise: JSON floats
    # and they are the numbers of the experiment run directly
    first = config.runs[0]
    direct = execute(first.experiment, normalise(first.experiment, first.params)).metrics
    assert stored["dask"][first.id]["plateau_length"] == direct["plateau_length"]


def _done_rows(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM runs WHERE status='done'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path):
    config_path = tmp_path / "resume.toml"
    config_path.write_text(
        'experiment = "plateau"\n[grid]\nmemory = [3, 4]\n'
        'optimizer = ["flow", "gd", "momentum", "adam"]\nseed = [0, 1, 2]\n'
    )
    runs = len(load_config(config_path).runs)
    assert runs >= 20
    store = tmp_path / "killed.sqlite"
    command = [sys.executable, "-m", "seqmem", "sweep", str(config_path), "--store", str(store)]
    process = subprocess.Popen(
        [*command, "--workers", "1", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while _done_rows(store) < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    interrupted = _done_rows(store)
    assert 5 <= interrupted < runs, "the sweep was not killed mid-way"

    resumed = subprocess.run([*command, "--workers", "2", "--json"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["already_done"] == interrupted
    assert report["executed"] == runs - interrupted

    reference = tmp_path / "reference.sqlite"
    with ResultsStore(reference) as uninterrupted:
        run_sweep(load_config(config_path), uninterrupted, workers=2, progress=False)
        expected = _metrics(uninterrupted)
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM runs")]
    assert sorted(ids) == sorted(expected) and len(ids) == runs  # each run exactly once
    with ResultsStore(store) as resumed_store:
        assert _metrics(resumed_store) == expected


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "seqmem", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_dry_run_results_and_export(tmp_path):
    dry = run_cli("sweep", str(EXAMPLES / "quick.toml"), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"runs": 32, "experiment": "plateau"}

    config = tmp_path / "tiny.toml"
    config.write_text('experiment = "approx"\n[fixed]\nspec = "exp(rate=1)+exp(rate=3)"\n'
                      "[grid]\nwidth = [1, 2]\n")  # fmt: skip
    store = tmp_path / "tiny.sqlite"
    ran = run_cli("sweep", str(config), "--store", str(store), "--workers", "1", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["executed"] == 2
    again = run_cli("sweep", str(config), "--store", str(store), "--json")
    assert json.loads(again.stdout)["executed"] == 0  # resumes: nothing left to do

    csv_path = tmp_path / "out.csv"
    listed = run_cli("results", "--store", str(store), "--export", str(csv_path), "--json")
    assert listed.returncode == 0, listed.stderr
    output = json.loads(listed.stdout)
    assert output["counts"] == {"done": 2, "failed": 0}
    assert {frozenset(run) for run in output["runs"]} == {
        frozenset({"id", "config", "status", "metrics"})
    }
    two_modes = next(r for r in output["runs"] if r["config"]["width"] == 2)
    assert two_modes["metrics"]["l2_error"] < 1e-8  # exactly representable
    header = csv_path.read_text().splitlines()[0]
    assert "metrics.l2_error" in header and "config.width" in header


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["sweep", "missing.toml"], "cannot read the sweep config"),
        (["results", "--store", "nowhere/r.sqlite"], "no results store"),
        (
            ["sweep", str(EXAMPLES / "quick.toml"), "--workers", "0", "--store", "x.sqlite"],
            "'workers' of run_sweep must be an integer ≥ 1",
        ),
    ],
)
def test_cli_bad_input(args, fragment, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "seqmem", *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.escape(fragment) and fragment in lines[0], result.stderr


def test_a_foreign_store_is_refused_and_left_alone(tmp_path):
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("my precious notes\n")
    before = foreign.read_bytes()
    result = run_cli("sweep", str(EXAMPLES / "quick.toml"), "--store", str(foreign))
    assert result.returncode == 2
    assert "not a seqmem results store" in result.stderr
    assert foreign.read_bytes() == before


CHEAP_POINTS = {
    "plateau": {"memory": 3, "optimizer": "gd", "learning_rate": 0.05},
    "train": {"spec": "exp(rate=2)", "width": 1, "optimizer": "adam", "steps": 500},
    "approx": {"spec": "powerlaw(omega=1)", "width": 3},
    "stall": {"memory": 4, "final_time": 1e4},
    "error_curve": {"spec": "exp(rate=1)+exp(rate=3)", "widths": [1, 2, 3]},
    "jackson_rates": {"alphas": [0, 1], "widths": [8, 16]},
    "width_needed": {"omegas": [2.0], "eps": 1e-2, "max_width": 8},
    "no_plateau": {"final_time": 1e3},
    "lorenz": {"read_out": 2, "width": 4, "steps": 50, "sequences": 16, "batch": 8, "length": 50},
}


def test_every_experiment_has_a_cheap_point_that_runs():
    from seqmem.experiments.registry import EXPERIMENTS

    assert set(CHEAP_POINTS) == set(EXPERIMENTS)
    for name, point in CHEAP_POINTS.items():
        result = execute(name, normalise(name, point))
        assert result.metrics
        json.dumps(result.metrics, allow_nan=False)  # JSON as it is
    # the sampled-data options reach the trainer: a different batch, other numbers
    sampled = {"spec": "exp(rate=2)", "width": 1, "optimizer": "adam", "steps": 50,
               "loss": "sampled", "length": 32}  # fmt: skip
    small = execute("train", normalise("train", {**sampled, "batch": 2})).metrics
    large = execute("train", normalise("train", {**sampled, "batch": 8})).metrics
    assert small["final_loss"] != large["final_loss"]
