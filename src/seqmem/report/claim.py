"""One claim of the paper as the report shows it: the number measured and whether it held.

:class:`Claim` checks its fields when it is made (a slug id, non-empty texts, a real or NaN
measurement, JSON-able parameters, a PNG file name inside the output folder), so that the
report never has to; :meth:`Claim.summary_row` is its row of ``summary.json``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping
from numbers import Real
from pathlib import PurePosixPath

import numpy as np

from seqmem.errors import SeqmemValueError

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of the paper with the number measured for it and whether it held.

    ``id`` is a short slug (letters, digits, ``.``, ``_``, ``-``; it becomes the HTML
    anchor ``claim-{id}``); ``measured`` a real number, NaN meaning "not measured" (shown
    as "—" and written as JSON ``null``); ``expected`` the rule that would confirm the
    claim, in words; ``section`` the heading it is shown under; ``details`` plain text
    (blank lines separate paragraphs); ``parameters`` the experiment's JSON-able settings;
    ``figure`` the file name of a PNG inside the output folder (relative, no ``..``).
    ``passed`` may be a NumPy bool and ``measured`` any real number; both are stored as
    Python ``bool``/``float``.

    >>> Claim("hsv-decay", "Hankel singular values decay exponentially.", 0.998,
    ...       "r² ≥ 0.95", True, "Approximation (paper §4)").measured
    0.998
    """

    id: str
    statement: str
    measured: float
    expected: str
    passed: bool
    section: str
    details: str = ""
    parameters: dict = dataclasses.field(default_factory=dict)
    figure: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise SeqmemValueError(
                "the 'id' of Claim must be a slug of letters, digits, '.', '_' or '-' "
                f"starting with a letter or digit; got {self.id!r}"
            )
        for name in ("statement", "expected", "section"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise SeqmemValueError(
                    f"the {name!r} of claim {self.id!r} must be a non-empty string; got {value!r}"
                )
        if not isinstance(self.details, str):
            raise SeqmemValueError(
                f"the 'details' of claim {self.id!r} must be a string; got {self.details!r}"
            )
        if not isinstance(self.passed, bool | np.bool_):
            raise SeqmemValueError(
                f"the 'passed' of claim {self.id!r} must be True or False; got {self.passed!r}"
            )
        object.__setattr__(self, "passed", bool(self.passed))
        measured = self.measured
        if isinstance(measured, bool) or not isinstance(measured, Real):
            raise SeqmemValueError(
                f"the 'measured' of claim {self.id!r} must be a real number; got {measured!r}"
            )
        if math.isinf(measured):
            raise SeqmemValueError(
                f"the 'measured' of claim {self.id!r} must be finite or NaN; got {measured}"
                " (use float('nan') for a number that could not be measured)"
            )
        object.__setattr__(self, "measured", float(measured))
        if not isinstance(self.parameters, Mapping):
            raise SeqmemValueError(
                f"the 'parameters' of claim {self.id!r} must be a mapping; "
                f"got {type(self.parameters).__name__}"
            )
        try:
            json.dumps(self.parameters, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise SeqmemValueError(
                f"the 'parameters' of claim {self.id!r} must be JSON-able; {error}"
            ) from None
        if self.figure is not None:
            check_figure_name(self.figure, owner=f"claim {self.id!r}")

    def summary_row(self) -> dict:
        """``{"id", "statement", "measured", "expected", "passed"}``, ``measured`` None
        when NaN (not measured): the claim's row in ``summary.json`` and ``seqmem reproduce``."""
        return {
            "id": self.id,
            "statement": self.statement,
            "measured": None if math.isnan(self.measured) else self.measured,
            "expected": self.expected,
            "passed": self.passed,
        }


def check_figure_name(name: object, *, owner: str) -> None:
    """Raise unless ``name`` is a '.png' file name inside the output folder (no '..')."""
    if not isinstance(name, str) or not name.lower().endswith(".png"):
        raise SeqmemValueError(f"the figure of {owner} must be a '.png' file name; got {name!r}")
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise SeqmemValueError(
            f"the figure of {owner} must be a file name inside the output folder; got {name!r}"
        )
