"""The record of one finished sweep run, and its checks on the way into a results store.

A :class:`StoredRun` holds what the store keeps per run besides its curves; on the way in
:func:`check_run` validates it, :func:`to_json_text` turns its config and metrics into JSON
text (NaN and ±inf become null, NumPy values plain Python ones, nothing else accepted) and
:func:`curves_blob` packs its named curves into ``np.savez_compressed`` bytes, numeric
arrays only (object arrays would need pickle, which the store never uses).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from numbers import Integral, Real

import numpy as np

from seqmem.errors import SeqmemValueError, check_positive

STATUSES = ("done", "failed")


@dataclass(frozen=True)
class StoredRun:
    """One finished run of a sweep, as stored (its curves are read by ``ResultsStore.curves``).

    ``config`` and ``metrics`` hold JSON values (dicts with string keys, lists, numbers,
    strings, bools, ``None``); on the way in NaN and ±inf become ``None`` and NumPy scalars
    and arrays become Python numbers and lists. ``status`` is ``"done"`` or ``"failed"``;
    ``error`` is the error text of a failed run and ``None`` for a done one; ``seconds`` is
    the wall time ≥ 0; ``finished_at`` is ISO 8601 with a UTC offset, e.g.
    ``datetime.now(timezone.utc).isoformat()``.
    """

    id: str
    experiment: str
    config: dict
    version: str
    status: str
    metrics: dict
    seconds: float
    error: str | None
    finished_at: str


def to_json_value(value: object, where: str, owner: str) -> object:
    """Return ``value`` as plain JSON data: non-finite floats → None, NumPy → Python."""
    if value is None or isinstance(value, str | bool | np.bool_):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist(), where, owner)
    if isinstance(value, list | tuple):
        return [to_json_value(item, f"{where}[{i}]", owner) for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SeqmemValueError(
                    f"the keys of the {where} of {owner} must be strings (JSON object keys); "
                    f"got {key!r}"
                )
            result[key] = to_json_value(item, f"{where}[{key!r}]", owner)
        return result
    raise SeqmemValueError(
        f"the {where} of {owner} must be JSON data (numbers, strings, bools, None, lists, dicts); "
        f"got {type(value).__name__}"
    )


def to_json_text(value: object, where: str, owner: str) -> str:
    if not isinstance(value, Mapping):
        raise SeqmemValueError(f"the {where} of {owner} must be a dict; got {type(value).__name__}")
    return json.dumps(to_json_value(value, where, owner), allow_nan=False)


def check_run(run: object) -> None:
    """Validate a run at the boundary of ``ResultsStore.record``."""
    if not isinstance(run, StoredRun):
        raise SeqmemValueError(f"record() takes a StoredRun; got {type(run).__name__}")
    owner = f"the run {run.id!r}"
    for name in ("id", "experiment", "version"):
        value = getattr(run, name)
        if not isinstance(value, str) or not value:
            raise SeqmemValueError(
                f"the {name!r} of {owner} must be a non-empty str; got {value!r}"
            )
    if run.status not in STATUSES:
        raise SeqmemValueError(
            f"the 'status' of {owner} must be 'done' or 'failed'; got {run.status!r}"
        )
    if run.status == "failed" and not isinstance(run.error, str):
        raise SeqmemValueError(f"the failed {owner} must carry its error text; got {run.error!r}")
    if run.status == "done" and run.error is not None:
        raise SeqmemValueError(f"the done {owner} must have error None; got {run.error!r}")
    check_positive("seconds", run.seconds, owner=owner, allow_zero=True)
    try:
        finished = datetime.fromisoformat(run.finished_at)
    except (TypeError, ValueError):
        finished = None
    if finished is None or finished.utcoffset() != timedelta(0):
        raise SeqmemValueError(
            f"the 'finished_at' of {owner} must be an ISO 8601 time in UTC such as "
            f"datetime.now(timezone.utc).isoformat(); got {run.finished_at!r}"
        )


def curves_blob(curves: Mapping[str, np.ndarray] | None, run_id: str) -> bytes | None:
    """Return the curves as ``.npz`` bytes, compressed (None when there are none)."""
    if curves is None:
        return None
    if not isinstance(curves, Mapping):
        raise SeqmemValueError(
            f"the curves of run {run_id!r} must be a mapping of names to arrays; "
            f"got {type(curves).__name__}"
        )
    if not curves:
        return None
    arrays = {}
    for name, value in curves.items():
        if not isinstance(name, str) or not name:
            raise SeqmemValueError(
                f"the curve names of run {run_id!r} must be non-empty strings; got {name!r}"
            )
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise SeqmemValueError(
                f"the curve {name!r} of run {run_id!r} must be a numeric array; "
                f"got dtype {array.dtype} (object arrays would need pickle)"
            )
        arrays[name] = array
    # The archive np.savez_compressed writes, built member by member so that any curve
    # name works (savez's own keywords 'file' and 'allow_pickle' included).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()
