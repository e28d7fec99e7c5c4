"""The resumable results store of parameter sweeps: one SQLite file, one row per run.

A sweep expands its configuration into runs, each keyed by a content hash of its
normalised parameters (computed by the caller). The store keeps, per run id, the
status (``"done"`` or ``"failed"``), the metrics and configuration as JSON, the curves
as ``np.savez_compressed`` bytes, the wall time and, for failed runs, the error text.
A sweep resumes by skipping the ids whose status is ``"done"``.

Layout of the file (schema ``"1"``)::

    meta(key TEXT PRIMARY KEY, value TEXT)       ("format", "seqmem-results"), ("schema", "1")
    runs(id TEXT PRIMARY KEY, experiment, config JSON, version,
         status IN ('done', 'failed'), metrics JSON, curves BLOB (npz or NULL),
         seconds REAL, error TEXT, finished_at TEXT (ISO 8601 UTC))

Safety rules: nothing is ever unpickled (JSON and ``allow_pickle=False`` only); a file
that is not a complete seqmem store is refused *before* SQLite opens it for writing, so
it is never modified and no ``-wal``/``-shm`` files appear next to it; a new store is
built under a temporary name and linked into place, so the store path never holds a
half-built store; writes are short WAL transactions and never delete rows.

The record of one run and its checks on the way in: :mod:`seqmem.sweep.records`.
:func:`read_results` is the query of ``seqmem results``: the runs, the counts, a CSV export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np

from seqmem.errors import SeqmemError, SeqmemValueError
from seqmem.sweep.records import STATUSES, StoredRun, check_run, curves_blob, to_json_text

__all__ = ["DEFAULT_STORE", "STATUSES", "ResultsStore", "StoredRun", "read_results"]

DEFAULT_STORE = Path("seqmem-results") / "results.sqlite"

_FORMAT = "seqmem-results"
_SCHEMA = "1"
_SQLITE_HEADER = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 30.0
_CREATE_SCHEMA = f"""
BEGIN;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('format', '{_FORMAT}'), ('schema', '{_SCHEMA}');
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    config TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    metrics TEXT NOT NULL,
    curves BLOB,
    seconds REAL NOT NULL,
    error TEXT,
    finished_at TEXT NOT NULL
);
COMMIT;
"""
_COLUMNS = "id, experiment, config, version, status, metrics, seconds, error, finished_at"
_UPSERT = """
INSERT INTO runs (id, experiment, config, version, status, metrics, curves, seconds, error,
                  finished_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    experiment = excluded.experiment, config = excluded.config, version = excluded.version,
    status = excluded.status, metrics = excluded.metrics, curves = excluded.curves,
    seconds = excluded.seconds, error = excluded.error, finished_at = excluded.finished_at
"""
_CSV_FIXED = ("id", "experiment", "status", "version", "seconds", "finished_at", "error")


def _run_from_row(row: tuple) -> StoredRun:
    """Rebuild a :class:`StoredRun` from a row selected as ``_COLUMNS`` (its field order)."""
    id_, experiment, config, version, status, metrics, seconds, error, finished_at = row
    return StoredRun(
        id_, experiment, json.loads(config), version, status, json.loads(metrics), seconds,
        error, finished_at,
    )  # fmt: skip


def _refuse(path: Path, why: str) -> SeqmemValueError:
    return SeqmemValueError(f"{path} is not a seqmem results store ({why}); refusing to touch it")


def _check_existing(path: Path) -> None:
    """Raise unless ``path`` is a complete seqmem store; opens nothing for writing.

    Reads the header with plain file I/O, then the schema through an ``immutable=1``
    read-only connection, which takes no locks and creates no ``-wal``/``-shm`` files.
    """
    if path.is_dir():
        raise _refuse(path, "it is a directory")
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise SeqmemError(f"could not read the results store {path}: {error}") from error
    if size == 0:
        raise _refuse(path, "it is an empty file; delete it to start a new store there")
    if not header.startswith(_SQLITE_HEADER):
        raise _refuse(path, "it does not start with the SQLite header")
    if len(header) < 100:
        raise _refuse(path, f"it is truncated to {size} bytes")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The in-header page count is valid when the change counter equals version-valid-for;
    # without a -wal file next to it, the main file alone is the whole database.
    wal = path.with_name(path.name + "-wal")
    if header[24:28] == header[92:96] and pages * page_size > size and not wal.exists():
        raise _refuse(
            path, f"it is truncated: {size} bytes, but its header declares {pages * page_size}"
        )
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "meta" not in tables or "runs" not in tables:
                raise _refuse(path, "an SQLite database without the 'meta' and 'runs' tables")
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as error:
        raise _refuse(path, f"SQLite cannot read it: {error}") from error
    if meta.get("format") != _FORMAT:
        raise _refuse(path, f"its meta format is {meta.get('format')!r}, not {_FORMAT!r}")
    if meta.get("schema") != _SCHEMA:
        raise SeqmemValueError(
            f"the results store {path} has schema {meta.get('schema')!r}, but this seqmem "
            f"reads schema {_SCHEMA!r}; use the seqmem version that wrote it or a new store path"
        )


def _create(path: Path) -> None:
    """Build a new store under a temporary name, then link it to ``path`` (never replacing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.creating")
    try:
        with closing(sqlite3.connect(temporary)) as connection:
            connection.executescript(_CREATE_SCHEMA)  # committed in rollback mode: in the file
            connection.execute("PRAGMA journal_mode=WAL")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it meanwhile: it is checked as an existing file
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
    except (OSError, sqlite3.DatabaseError) as error:
        raise SeqmemError(f"could not create the results store {path}: {error}") from error
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(temporary) + suffix).unlink(missing_ok=True)


class ResultsStore:
    """The results of a sweep in one SQLite file, keyed by run id; a context manager.

    ``ResultsStore(path)`` opens the store at ``path`` (default ``DEFAULT_STORE``,
    ``./seqmem-results/results.sqlite``), creating it and its parent folders when the
    file does not exist and ``create`` is true. An existing file that is not a complete
    seqmem store (another database, text, a truncated or empty file) raises
    :class:`SeqmemValueError` and is left untouched.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "results.sqlite"
        ...     with ResultsStore(path) as store:
        ...         run = StoredRun(
        ...             id="3f2a", experiment="plateaus", config={"memory": 2.0},
        ...             version="0.1.0", status="done", metrics={"plateau": float("nan")},
        ...             seconds=1.5, error=None, finished_at="2026-01-01T00:00:00+00:00",
        ...         )
        ...         store.record(run, curves={"loss": np.array([1.0, 0.5])})
        ...     with ResultsStore(path, create=False) as store:
        ...         print(store.counts(), store.runs()[0].metrics, store.curves("3f2a")["loss"])
        {'done': 1, 'failed': 0} {'plateau': None} [1.  0.5]
    """

    def __init__(self, path: str | os.PathLike = DEFAULT_STORE, *, create: bool = True) -> None:
        self._path = Path(path)
        self._connection: sqlite3.Connection | None = None
        if not self._path.exists():
            if not create:
                raise SeqmemValueError(f"no results store at {self._path}")
            _create(self._path)
        _check_existing(self._path)
        uri = self._path.resolve().as_uri() + "?mode=rw"
        try:
            connection = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_S)
        except sqlite3.DatabaseError as error:
            raise SeqmemError(f"could not open the results store {self._path}: {error}") from error
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as error:
            connection.close()
            raise SeqmemError(f"could not open the results store {self._path}: {error}") from error
        self._connection = connection

    @property
    def path(self) -> Path:
        """The path of the store file."""
        return self._path

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"ResultsStore({str(self._path)!r}, {state})"

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent); SQLite checkpoints the WAL into the file."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _open_connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise SeqmemError(f"the results store {self._path} is closed")
        return self._connection

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        connection = self._open_connection()
        try:
            yield connection
        except (sqlite3.DatabaseError, json.JSONDecodeError) as error:
            raise SeqmemError(
                f"the results store {self._path} cannot be read ({error}); it may be "
                "corrupted: keep a copy and rerun the sweep into a new store"
            ) from error

    def record(self, run: StoredRun, curves: Mapping[str, np.ndarray] | None = None) -> None:
        """Insert ``run`` (with its named curves), replacing a stored run with the same id.

        One short transaction: the row is either fully written or not at all.
        """
        check_run(run)
        row = (
            run.id,
            run.experiment,
            to_json_text(run.config, "config", f"run {run.id!r}"),
            run.version,
            run.status,
            to_json_text(run.metrics, "metrics", f"run {run.id!r}"),
            curves_blob(curves, run.id),
            float(run.seconds),
            run.error,
            run.finished_at,
        )
        connection = self._open_connection()
        try:
            with connection:
                connection.execute(_UPSERT, row)
        except sqlite3.DatabaseError as error:
            raise SeqmemError(
                f"could not write run {run.id!r} to the results store {self._path} ({error}); "
                "the store keeps its previous rows"
            ) from error

    def statuses(self) -> dict[str, str]:
        """Return ``{run id: "done" | "failed"}`` for every stored run."""
        with self._reading() as connection:
            return dict(connection.execute("SELECT id, status FROM runs ORDER BY id").fetchall())

    def counts(self) -> dict[str, int]:
        """Return ``{"done": n_done, "failed": n_failed}`` (both keys always present)."""
        with self._reading() as connection:
            rows = connection.execute("SELECT status, COUNT(*) FROM runs GROUP BY status")
            counts = dict.fromkeys(STATUSES, 0) | dict(rows.fetchall())
        return counts

    def runs(self, *, status: str | None = None, experiment: str | None = None) -> list[StoredRun]:
        """Return the stored runs, optionally filtered, ordered by ``finished_at`` then id."""
        if status is not None and status not in STATUSES:
            raise SeqmemValueError(
                f"the 'status' of ResultsStore.runs must be 'done', 'failed' or None; "
                f"got {status!r}"
            )
        if experiment is not None and not isinstance(experiment, str):
            raise SeqmemValueError(
                f"the 'experiment' of ResultsStore.runs must be a str or None; got {experiment!r}"
            )
        query = f"SELECT {_COLUMNS} FROM runs WHERE (? IS NULL OR status = ?) "
        query += "AND (? IS NULL OR experiment = ?) ORDER BY finished_at, id"
        with self._reading() as connection:
            rows = connection.execute(query, (status, status, experiment, experiment)).fetchall()
            return [_run_from_row(row) for row in rows]

    def curves(self, run_id: str) -> dict[str, np.ndarray]:
        """Return the named curves of run ``run_id`` (``{}`` when it stored none).

        Loaded with ``allow_pickle=False``: a blob holding object arrays is refused.
        """
        with self._reading() as connection:
            row = connection.execute("SELECT curves FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise SeqmemValueError(f"no run with id {run_id!r} in the results store {self._path}")
        if row[0] is None:
            return {}
        try:
            with np.load(io.BytesIO(row[0]), allow_pickle=False) as archive:
                return {name: archive[name] for name in archive.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
            raise SeqmemValueError(
                f"the curves of run {run_id!r} in {self._path} cannot be loaded without "
                f"pickle ({error}); they were not written by seqmem"
            ) from error

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write one CSV row per run to ``path`` and return the number of rows written.

        Columns: id, experiment, status, version, seconds, finished_at, error, then
        ``config.<key>`` and ``metrics.<key>`` over the union of keys of all runs, each
        group sorted. ``None`` and missing keys are empty cells; lists and dicts are JSON.
        """
        target = Path(path)
        if target.exists() and target.resolve() == self._path.resolve():
            raise SeqmemValueError(f"export_csv would overwrite the results store {target}")
        runs = self.runs()
        config_keys = sorted({key for run in runs for key in run.config})
        metric_keys = sorted({key for run in runs for key in run.metrics})
        header = [
            *_CSV_FIXED,
            *(f"config.{key}" for key in config_keys),
            *(f"metrics.{key}" for key in metric_keys),
        ]

        def cell(value: object) -> object:
            return json.dumps(value) if isinstance(value, list | dict) else value

        with target.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            for run in runs:
                writer.writerow(
                    [getattr(run, name) for name in _CSV_FIXED]
                    + [cell(run.config.get(key)) for key in config_keys]
                    + [cell(run.metrics.get(key)) for key in metric_keys]
                )
        return len(runs)


def read_results(
    path: str | os.PathLike = DEFAULT_STORE,
    *,
    status: str | None = None,
    experiment: str | None = None,
    export: str | None = None,
) -> tuple[list[StoredRun], dict[str, int]]:
    """The runs of the existing store at ``path`` (filtered as :meth:`ResultsStore.runs`)
    and its counts; with ``export``, a ``.csv`` file name, every run is also written there
    (:meth:`ResultsStore.export_csv`). A missing store or another file name raises
    :class:`SeqmemValueError` (the latter naming ``seqmem results --export``)."""
    with ResultsStore(path, create=False) as store:
        runs = store.runs(status=status, experiment=experiment)
        counts = store.counts()
        if export is not None:
            if not str(export).endswith(".csv"):
                raise SeqmemValueError(f"--export writes CSV; name a .csv file, got {export!r}")
            store.export_csv(export)
    return runs, counts
