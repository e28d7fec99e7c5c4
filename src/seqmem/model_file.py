"""Trained models on disk: a plain NPZ file of named arrays, never a pickle.

A model file holds

- ``format``: the string "seqmem-model/1";
- ``kind``: "linear" (a :class:`~seqmem.rnn.LinearRNN`) or "tanh" (a
  :class:`~seqmem.tanh_rnn.TanhRNN`);
- the model's arrays: W, U, c for a linear model (real or complex float64, as the model has
  them), or rates, weights, input_weights, coupling for a tanh model;
- ``dt``: the grid step Δ the model was trained on (NaN if none was given);
- ``metadata``: a JSON object as a string (the seqmem version, the training summary, …).

Any NumPy reads it (``numpy.load(path, allow_pickle=False)``); :func:`load_model` rebuilds
the model object, which validates the arrays (shapes, finiteness, stability).

Example:
    >>> import tempfile, pathlib
    >>> from seqmem.rnn import LinearRNN
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.npz"
    >>> _ = save_model(LinearRNN.from_rates([1.0, 2.0], [0.5, 0.5]), path, dt=0.1)
    >>> model, info = load_model(path)
    >>> model.eigenvalues.tolist(), info["dt"]
    ([-1.0, -2.0], 0.1)
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from seqmem.errors import SeqmemValueError
from seqmem.rnn import LinearRNN
from seqmem.tanh_rnn import TanhRNN

FORMAT = "seqmem-model/1"
ARRAYS = {"linear": ("W", "U", "c"), "tanh": ("rates", "weights", "input_weights", "coupling")}


def save_model(
    model: LinearRNN | TanhRNN,
    path: str | os.PathLike,
    *,
    dt: float | None = None,
    metadata: dict | None = None,
) -> Path:
    """Write ``model`` to ``path`` (module notes); an existing file is replaced only once the
    new one is complete (written beside it, then renamed).

    Raises:
        SeqmemValueError: for another object, metadata that is not JSON, or a folder that
            cannot be written.
    """
    if isinstance(model, LinearRNN):
        kind, arrays = "linear", {"W": model.W, "U": model.U, "c": model.c}
    elif isinstance(model, TanhRNN):
        kind, arrays = "tanh", model.parameters()
    else:
        raise SeqmemValueError(
            f"save_model takes a LinearRNN or a TanhRNN; got {type(model).__name__}"
        )
    try:
        text = json.dumps(metadata or {})
    except TypeError as error:
        raise SeqmemValueError(f"the metadata of save_model must be JSON: {error}") from None
    path = Path(path)
    contents = {
        "format": np.array(FORMAT),
        "kind": np.array(kind),
        "dt": np.array(np.nan if dt is None else float(dt)),
        "metadata": np.array(text),
        **{name: np.asarray(value) for name, value in arrays.items()},
    }
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(suffix=".npz", dir=path.parent)
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **contents)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise SeqmemValueError(
            f"cannot write the model file {str(path)!r}: {error.strerror or error}"
        ) from None
    return path


def load_model(path: str | os.PathLike) -> tuple[LinearRNN | TanhRNN, dict]:
    """The model in ``path`` and {"dt": Δ or None, "metadata": dict}.

    Raises:
        SeqmemValueError: a missing or unreadable file, another format, or arrays that do
            not make a valid model (named in the message).
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as file:
            contents = {name: file[name] for name in file.files}
    except FileNotFoundError:
        raise SeqmemValueError(f"no model file at {str(path)!r}") from None
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise SeqmemValueError(
            f"{str(path)!r} is not a readable seqmem model file (NPZ): {error}"
        ) from None
    if str(contents.get("format", "")) != FORMAT:
        raise SeqmemValueError(f"{str(path)!r} is not a {FORMAT} file (no matching 'format')")
    kind = str(contents.get("kind", ""))
    if kind not in ARRAYS:
        raise SeqmemValueError(f"{str(path)!r}: unknown model kind {kind!r}")
    missing = [name for name in ARRAYS[kind] if name not in contents]
    if missing:
        raise SeqmemValueError(f"{str(path)!r}: the {kind} model lacks the array {missing[0]!r}")
    arrays = [contents[name] for name in ARRAYS[kind]]
    try:
        metadata = json.loads(str(contents.get("metadata", "{}")))
        model = LinearRNN(*arrays) if kind == "linear" else TanhRNN(*arrays)
    except json.JSONDecodeError as error:
        raise SeqmemValueError(f"{str(path)!r}: its metadata is not JSON ({error})") from None
    except SeqmemValueError as error:
        raise SeqmemValueError(f"{str(path)!r} holds an invalid model: {error}") from None
    dt = float(contents.get("dt", np.nan))
    return model, {"dt": None if np.isnan(dt) else dt, "metadata": metadata}
