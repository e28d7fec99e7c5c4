"""The exception family of seqmem and the boundary validators that raise it.

Every invalid input is reported once, at the public entry point, by a
:class:`SeqmemValueError` whose message is one line naming the parameter, the
value received, the rule and (when known) the fix. The command-line interface
catches :class:`SeqmemError` and exits with status 2 without a traceback.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


class SeqmemError(Exception):
    """Base class of every error seqmem raises on purpose."""


class SeqmemValueError(SeqmemError, ValueError):
    """An argument has a wrong value, type or shape."""


def check_real(name: str, value: object, *, owner: str) -> float:
    """Return ``value`` as a finite float or raise naming ``owner`` and ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer):
        raise SeqmemValueError(f"the {name!r} of {owner} must be a real number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise SeqmemValueError(f"the {name!r} of {owner} must be finite; got {value}")
    return value


def check_positive(name: str, value: object, *, owner: str, allow_zero: bool = False) -> float:
    """Return ``value`` as a float that is > 0 (or ≥ 0 with ``allow_zero``)."""
    value = check_real(name, value, owner=owner)
    if value < 0 or (value == 0 and not allow_zero):
        rule = "≥ 0" if allow_zero else "> 0"
        raise SeqmemValueError(f"the {name!r} of {owner} must be {rule}; got {value:g}")
    return value


def check_integer(name: str, value: object, *, owner: str, minimum: int) -> int:
    """Return ``value`` as an int that is ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SeqmemValueError(
            f"the {name!r} of {owner} must be an integer ≥ {minimum}; got {value!r}"
        )
    if value < minimum:
        raise SeqmemValueError(
            f"the {name!r} of {owner} must be an integer ≥ {minimum}; got {value}"
        )
    return int(value)


def check_choice(name: str, value: object, choices: tuple[str, ...], *, owner: str) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise SeqmemValueError(
            f"the {name!r} of {owner} must be one of {', '.join(choices)}; got {value!r}"
        )
    return value


def check_finite_array(name: str, value: object, *, owner: str, dtype=float) -> np.ndarray:
    """Return ``value`` as a NumPy array of ``dtype`` with only finite entries."""
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise SeqmemValueError(
            f"the {name!r} of {owner} must be a numeric array; got {type(value).__name__}"
        ) from error
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array.ravel()))
        raise SeqmemValueError(
            f"the {name!r} of {owner} must contain only finite numbers; "
            f"entry {bad[0]} of {array.size} is {array.ravel()[bad[0]]}"
        )
    return array
