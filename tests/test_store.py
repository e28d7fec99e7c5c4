"""The SQLite results store of sweeps: round trips, resumability and refusing foreign files."""

import csv
import io
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from seqmem.errors import SeqmemError, SeqmemValueError
from seqmem.sweep.store import DEFAULT_STORE, ResultsStore, StoredRun


def make_run(run_id="a1", status="done", **changes) -> StoredRun:
    fields = dict(
        id=run_id,
        experiment="plateaus",
        config={"memory": 2.0, "width": 8, "kernel": "exp", "grid": [1, 2]},
        version="0.1.0",
        status=status,
        metrics={"loss": 0.25, "converged": True} if status == "done" else {},
        seconds=1.5,
        error=None if status == "done" else "SeqmemError: did not converge",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    return StoredRun(**(fields | changes))


def snapshot(path: Path) -> tuple:
    """The bytes, mtime and sibling files of ``path``: all must survive a refused open."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "results.sqlite"


def test_default_store_path():
    assert Path("seqmem-results") / "results.sqlite" == DEFAULT_STORE


def test_default_store_is_created_under_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with ResultsStore() as store:
        store.record(make_run())
    assert (tmp_path / "seqmem-results" / "results.sqlite").is_file()


def test_a_reader_sees_the_runs_of_an_open_writer(store_path):
    with ResultsStore(store_path) as writer:
        writer.record(make_run("a1"))
        with ResultsStore(store_path, create=False) as reader:
            assert reader.statuses() == {"a1": "done"}
            writer.record(make_run("b2", status="failed"))
            assert reader.counts() == {"done": 1, "failed": 1}


def test_round_trip_of_done_and_failed_runs(store_path):
    loss = np.linspace(1.0, 0.0, 101) ** 3  # values with long binary expansions
    steps = np.arange(101, dtype=np.int64)
    done, failed = make_run("a1"), make_run("b2", status="failed")
    with ResultsStore(store_path) as store:
        store.record(done, curves={"loss": loss, "steps": steps})
        store.record(failed)
        assert store.statuses() == {"a1": "done", "b2": "failed"}
        assert store.counts() == {"done": 1, "failed": 1}
        assert store.runs() == [done, failed]
        assert store.runs(status="failed") == [failed]
        assert store.runs(experiment="other") == []
        curves = store.curves("a1")
        assert store.curves("b2") == {}
    assert sorted(curves) == ["loss", "steps"]
    assert curves["loss"].dtype == np.float64 and np.array_equal(curves["loss"], loss)
    assert curves["steps"].dtype == np.int64 and np.array_equal(curves["steps"], steps)


def test_rerun_of_a_failed_run_replaces_it(store_path):
    with ResultsStore(store_path) as store:
        store.record(make_run("a1", status="failed"), curves={"loss": np.ones(3)})
        store.record(make_run("a1"), curves={"loss": np.zeros(3)})
        assert store.counts() == {"done": 1, "failed": 0}
        assert [run.status for run in store.runs()] == ["done"]
        assert np.array_equal(store.curves("a1")["loss"], np.zeros(3))


def test_runs_are_ordered_by_finish_time_then_id(store_path):
    late = make_run("a", finished_at="2026-01-02T00:00:00+00:00")
    early_b = make_run("b", finished_at="2026-01-01T00:00:00Z")
    early_c = make_run("c", finished_at="2026-01-01T00:00:00Z")
    with ResultsStore(store_path) as store:
        for run in (early_c, late, early_b):
            store.record(run)
        assert [run.id for run in store.runs()] == ["b", "c", "a"]


def test_non_finite_and_numpy_metrics_are_stored_as_json(store_path):
    metrics = {
        "nan": float("nan"),
        "inf": np.float64(np.inf),
        "minus_inf": -np.inf,
        "float32": np.float32(0.5),
        "int64": np.int64(7),
        "bool": np.bool_(True),
        "array": np.array([1.0, np.nan]),
        "nested": {"values": (np.int32(1), None, "x")},
    }
    with ResultsStore(store_path) as store:
        store.record(make_run(metrics=metrics, config={"rate": np.float64(0.1)}))
        [run] = store.runs()
    assert run.metrics == {
        "nan": None,
        "inf": None,
        "minus_inf": None,
        "float32": 0.5,
        "int64": 7,
        "bool": True,
        "array": [1.0, None],
        "nested": {"values": [1, None, "x"]},
    }
    assert type(run.metrics["int64"]) is int and type(run.metrics["bool"]) is bool
    assert run.config == {"rate": 0.1}


def test_reopened_store_keeps_its_runs_in_wal_mode(store_path):
    with ResultsStore(store_path) as store:
        store.record(make_run("a1"), curves={"loss": np.arange(4.0)})
    assert store_path.read_bytes()[18:20] == b"\x02\x02"  # header: WAL read/write versions
    with ResultsStore(store_path, create=False) as store:
        assert store.statuses() == {"a1": "done"}
        assert np.array_equal(store.curves("a1")["loss"], np.arange(4.0))
        with closing(sqlite3.connect(store_path)) as other:
            assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_new_store_creates_its_folders_but_a_missing_one_is_not_created(tmp_path):
    with pytest.raises(SeqmemValueError, match="no results store at"):
        ResultsStore(tmp_path / "absent" / "results.sqlite", create=False)
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "deep" / "er" / "results.sqlite"
    with ResultsStore(path) as store:
        assert store.counts() == {"done": 0, "failed": 0}
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.sqlite"]


def _other_app(path):
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE foo (x INTEGER)")
        connection.execute("INSERT INTO foo VALUES (1)")


def _other_app_in_wal_mode(path):
    _other_app(path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def _our_store_with_meta(key, value):
    def make(path):
        with ResultsStore(path):
            pass
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))

    return make


FOREIGN_FILES = {
    "text": (lambda path: path.write_text("id,status\na1,done\n"), "SQLite header"),
    "random bytes": (
        lambda path: path.write_bytes(np.random.default_rng(0).bytes(4096)),
        "SQLite header",
    ),
    "empty file": (lambda path: path.write_bytes(b""), "empty file; delete it"),
    "header only": (lambda path: path.write_bytes(b"SQLite format 3\x00" + bytes(30)), "trunc"),
    "other app": (_other_app, "without the 'meta' and 'runs' tables"),
    "other app in WAL mode": (_other_app_in_wal_mode, "without the 'meta' and 'runs' tables"),
    "other format": (_our_store_with_meta("format", "elsewhere"), "meta format is 'elsewhere'"),
    "other schema": (_our_store_with_meta("schema", "2"), "schema '2', but this seqmem reads"),
}


@pytest.mark.parametrize("create", [True, False])
@pytest.mark.parametrize("kind", FOREIGN_FILES)
def test_foreign_files_are_refused_and_left_untouched(tmp_path, kind, create):
    path = tmp_path / "results.sqlite"
    make, message = FOREIGN_FILES[kind]
    make(path)
    before = snapshot(path)
    with pytest.raises(SeqmemValueError, match=message) as raised:
        ResultsStore(path, create=create)
    assert "\n" not in str(raised.value)
    assert snapshot(path) == before  # same bytes and mtime, no -wal/-shm/-journal beside it


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(SeqmemValueError, match="is a directory"):
        ResultsStore(tmp_path)


def _filled_store(path):
    rng = np.random.default_rng(1)
    with ResultsStore(path) as store:
        for i in range(20):
            store.record(make_run(f"run{i:02d}"), curves={"loss": rng.standard_normal(500)})


def test_truncated_store_is_refused_and_left_untouched(store_path):
    _filled_store(store_path)
    size = store_path.stat().st_size
    with store_path.open("r+b") as file:
        file.truncate(size // 2)
    before = snapshot(store_path)
    with pytest.raises(SeqmemValueError, match="is truncated"):
        ResultsStore(store_path)
    assert snapshot(store_path) == before


def test_corrupted_pages_give_a_seqmem_error_on_reading(store_path):
    _filled_store(store_path)
    data = bytearray(store_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[2 * page_size :] = bytes(len(data) - 2 * page_size)  # keep header, schema and meta
    store_path.write_bytes(bytes(data))
    with pytest.raises(SeqmemError, match="cannot be read"), ResultsStore(store_path) as store:
        store.runs()


def test_curves_are_never_unpickled(store_path):
    buffer = io.BytesIO()
    np.savez(buffer, loss=np.array([{"payload": 1}], dtype=object), allow_pickle=True)
    with ResultsStore(store_path) as store:
        store.record(make_run("a1"))
        with closing(sqlite3.connect(store_path)) as other, other:
            other.execute("UPDATE runs SET curves = ? WHERE id = 'a1'", (buffer.getvalue(),))
        with pytest.raises(SeqmemValueError, match="cannot be loaded without pickle"):
            store.curves("a1")
        with pytest.raises(SeqmemValueError, match="object arrays would need pickle"):
            store.record(make_run("b2"), curves={"loss": np.array([None, 1.0])})


def test_curve_names_may_be_any_string(store_path):
    names = ["file", "allow_pickle", "loss/train", "päth"]
    with ResultsStore(store_path) as store:
        store.record(make_run(), curves={name: np.arange(3.0) for name in names})
        assert sorted(store.curves("a1")) == sorted(names)


def test_unknown_id_and_closed_store(store_path):
    store = ResultsStore(store_path)
    with pytest.raises(SeqmemValueError, match="no run with id 'zz'"):
        store.curves("zz")
    store.close()
    store.close()  # idempotent
    with pytest.raises(SeqmemError, match="is closed"):
        store.statuses()


INVALID_RUNS = {
    "status": (dict(status="running"), "must be 'done' or 'failed'"),
    "failed without error": (dict(status="failed", error=None), "must carry its error text"),
    "done with error": (dict(error="boom"), "must have error None"),
    "empty id": (dict(id=""), "'id' of the run '' must be a non-empty str"),
    "negative seconds": (dict(seconds=-1.0), "'seconds' of the run 'a1' must be ≥ 0"),
    "naive time": (dict(finished_at="2026-01-01T00:00:00"), "ISO 8601 time in UTC"),
    "not a time": (dict(finished_at="yesterday"), "ISO 8601 time in UTC"),
    "non-str key": (dict(metrics={1: 2.0}), "the keys of the metrics of run 'a1' must be strings"),
    "set value": (
        dict(config={"grid": {1, 2}}),
        r"the config\['grid'\] of run 'a1' must be JSON data",
    ),
}


@pytest.mark.parametrize("kind", INVALID_RUNS)
def test_invalid_runs_are_refused_before_writing(store_path, kind):
    changes, message = INVALID_RUNS[kind]
    with ResultsStore(store_path) as store:
        with pytest.raises(SeqmemValueError, match=message):
            store.record(make_run("a1", **changes))
        assert store.counts() == {"done": 0, "failed": 0}


def test_failed_write_is_a_seqmem_error_and_keeps_rows(store_path):
    with ResultsStore(store_path) as store:
        store.record(make_run("a1"))
        with closing(sqlite3.connect(store_path)) as other, other:  # simulates a disk error
            other.execute(
                "CREATE TRIGGER full BEFORE UPDATE ON runs "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        with pytest.raises(SeqmemError, match=r"could not write run 'a1'.*\(disk full\)"):
            store.record(make_run("a1", seconds=2.0))
        assert store.runs() == [make_run("a1")]


def test_export_csv(store_path, tmp_path):
    done = make_run("a1", metrics={"loss": 0.1, "rate": float("nan")})
    failed = make_run("b2", status="failed", config={"memory": 3.0, "seed": 4})
    with ResultsStore(store_path) as store:
        store.record(done)
        store.record(failed)
        target = tmp_path / "runs.csv"
        assert store.export_csv(target) == 2
        with pytest.raises(SeqmemValueError, match="would overwrite the results store"):
            store.export_csv(store_path)
    with target.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [
        "id", "experiment", "status", "version", "seconds", "finished_at", "error",
        "config.grid", "config.kernel", "config.memory", "config.seed", "config.width",
        "metrics.loss", "metrics.rate",
    ]  # fmt: skip
    first, second = rows
    assert (first["id"], first["status"], first["error"]) == ("a1", "done", "")
    assert json.loads(first["config.grid"]) == [1, 2]
    assert float(first["metrics.loss"]) == 0.1 and first["metrics.rate"] == ""
    assert float(first["seconds"]) == 1.5 and first["config.seed"] == ""
    assert (second["status"], second["error"]) == ("failed", "SeqmemError: did not converge")
    assert (second["config.memory"], second["config.seed"], second["metrics.loss"]) == (
        "3.0",
        "4",
        "",
    )


def test_stored_run_is_frozen():
    run = make_run()
    with pytest.raises(AttributeError):
        run.status = "failed"
    assert replace(run, status="failed").status == "failed"
    assert os.fspath(DEFAULT_STORE).endswith("results.sqlite")


def test_every_connection_is_closed(store_path, monkeypatch):
    opened = []
    connect = sqlite3.connect

    def tracking_connect(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", tracking_connect)
    with ResultsStore(store_path) as store:  # creation: a temporary file, a check, the handle
        store.record(make_run())
    with pytest.raises(SeqmemValueError):
        _our_store_with_meta("schema", "2")(store_path)
        ResultsStore(store_path)
    assert len(opened) >= 5
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            connection.execute("SELECT 1")
