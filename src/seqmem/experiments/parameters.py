"""The parameters of sweepable experiments: their declaration and the check of one value.

A :class:`Parameter` names a kind ("str", "int", "float", "bool", "pair" or a list kind),
a default (:data:`REQUIRED` when a config must give it), allowed values and whether None is
allowed; :func:`check_value` converts a config's value to that kind or raises a one-line
:class:`SeqmemValueError` naming the parameter and its owner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqmem.errors import SeqmemValueError

REQUIRED = object()  # the default of a parameter a config must give


@dataclass(frozen=True)
class Parameter:
    """One parameter: ``kind`` is "str", "int", "float", "bool", "pair" (two floats) or a
    non-empty list "strs", "ints", "floats"."""

    name: str
    kind: str
    default: object = REQUIRED
    choices: tuple | None = None
    optional: bool = False  # None allowed (e.g. "the optimiser's default learning rate")
    description: str = ""


def check_value(owner: str, parameter: Parameter, value: object) -> object:
    """``value`` converted to the parameter's kind, or a one-line error.

    Ints stay ints, numbers of a "float" become floats (finite only), lists become lists of
    checked items and a "pair" a list of two floats; bools are never numbers.
    """
    if value is None and parameter.optional:
        return None
    kind = parameter.kind
    where = f"parameter '{parameter.name}' of {owner}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise SeqmemValueError(f"{where} must be true or false; got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise SeqmemValueError(f"{where} must be a string; got {value!r}")
        if parameter.choices is not None and value not in parameter.choices:
            raise SeqmemValueError(
                f"{where} must be one of {', '.join(parameter.choices)}; got {value!r}"
            )
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SeqmemValueError(f"{where} must be an integer; got {value!r}")
        return value
    if kind == "float":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise SeqmemValueError(f"{where} must be a finite number; got {value!r}")
        return float(value)
    if kind in ("ints", "floats", "strs"):
        if not isinstance(value, list | tuple) or not value:
            raise SeqmemValueError(f"{where} must be a non-empty list; got {value!r}")
        item = Parameter(parameter.name, kind[:-1])
        return [check_value(owner, item, v) for v in value]
    # "pair"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise SeqmemValueError(f"{where} must be a list of two numbers; got {value!r}")
    return [check_value(owner, Parameter(parameter.name, "float"), v) for v in value]
