"""Input→output records from files: a CSV of columns, or an NPZ of arrays.

- **CSV**: a header line naming the columns, then one row per time step (comma-separated
  numbers); the input and output columns form one record of length T.
- **NPZ**: arrays named by the input and output names, of shape (L,) (one record),
  (n, L) or (n, L, 1) (n records of length L).

Records can be cut into consecutive windows of ``length`` samples (a remainder shorter than
a window is dropped), so one long record becomes many training sequences.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data.csv"
    >>> _ = path.write_text("time,u,y\\n0,1,0\\n1,0,0.5\\n2,0,0.25\\n3,1,0.1\\n")
    >>> x, y = load_sequences(path, "u", "y", length=2)
    >>> x.tolist(), y.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.5], [0.25, 0.1]])
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from seqmem.errors import SeqmemValueError, check_finite_array, check_integer


def load_sequences(
    path: str | os.PathLike, input: str, output: str, *, length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of shape (n, L) from a CSV or NPZ file (module notes).

    Args:
        path: a ``.csv`` or ``.npz`` file.
        input, output: the column (CSV) or array (NPZ) names.
        length: cut every record into windows of this many samples; None keeps the records.

    Raises:
        SeqmemValueError: a missing or unreadable file, an unknown name, non-numeric or
            non-finite values, mismatched shapes, or a record shorter than ``length``.
    """
    path = Path(path)
    if not path.is_file():
        raise SeqmemValueError(f"no data file at {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        x, y = _csv_columns(path, input, output)
    elif suffix == ".npz":
        x, y = _npz_arrays(path, input, output)
    else:
        raise SeqmemValueError(f"a data file must be .csv or .npz; got {path.name!r}")
    owner = f"data file {path.name!r}"
    x = check_finite_array(input, x, owner=owner)
    y = check_finite_array(output, y, owner=owner)
    x, y = (a[..., 0] if a.ndim == 3 and a.shape[2] == 1 else a for a in (x, y))
    x, y = (a[None, :] if a.ndim == 1 else a for a in (x, y))
    if x.ndim != 2 or x.shape != y.shape or x.size == 0:
        raise SeqmemValueError(
            f"the {owner} needs input and output of one shape (L,), (n, L) or (n, L, 1); "
            f"got {input!r} {x.shape} and {output!r} {y.shape}"
        )
    if length is None:
        return x, y
    length = check_integer("length", length, owner=owner, minimum=1)
    windows = x.shape[1] // length
    if windows == 0:
        raise SeqmemValueError(
            f"the records of the {owner} have {x.shape[1]} samples, fewer than one window "
            f"of length {length}"
        )
    cut = windows * length
    return x[:, :cut].reshape(-1, length), y[:, :cut].reshape(-1, length)


def _csv_columns(path: Path, input: str, output: str) -> tuple[np.ndarray, np.ndarray]:
    with path.open(encoding="utf-8") as file:
        header = [name.strip() for name in file.readline().strip().split(",")]
    for name in (input, output):
        if name not in header:
            raise SeqmemValueError(
                f"{path.name!r} has no column {name!r}; its columns: {', '.join(header)}"
            )
    try:
        table = np.loadtxt(
            path, delimiter=",", skiprows=1, ndmin=2,
            usecols=(header.index(input), header.index(output)),
        )  # fmt: skip
    except ValueError as error:
        raise SeqmemValueError(f"{path.name!r} is not a numeric CSV: {error}") from None
    return table[:, 0], table[:, 1]


def _npz_arrays(path: Path, input: str, output: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as file:
            names = file.files
            for name in (input, output):
                if name not in names:
                    raise SeqmemValueError(
                        f"{path.name!r} has no array {name!r}; its arrays: {', '.join(names)}"
                    )
            return file[input], file[output]
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        if isinstance(error, SeqmemValueError):
            raise
        raise SeqmemValueError(f"{path.name!r} is not a readable NPZ file: {error}") from None
