"""The report of ``seqmem reproduce``: the paper's claims, laid out; nothing computed here.

:func:`write_report` takes the :class:`Claim` objects the experiments produced (each a
number already measured, the rule that would confirm the claim and whether it held) and the
PNG figures already drawn, and writes three files into the output folder:

``summary.json``
    ``{"claims": [{"id", "statement", "measured", "expected", "passed"}], "seconds",
    "mode", "passed", "failed"}`` — the claims in the order given, ``measured`` a float or
    ``null`` (NaN: not measured); the last three keys are counts and the run mode.
``report.md``
    title, ``"N of M claims held"``, the claims table ``| claim | measured | expected |
    held |`` and one section per claim with its statement, details, parameters and
    ``![…](figure.png)`` links (relative to the folder).
``report.html``
    the same content as one self-contained page: inline CSS, no JavaScript, no external
    resource; every figure is embedded as a ``data:image/png;base64`` URI **once**, in the
    first claim section (or the "Other figures" section) that shows it, with the anchor
    ``figure-N``; a later claim that cites the same file links to that anchor instead of
    embedding a second copy, so the page stays as small as the set of figures.

Claims are shown grouped by their ``section`` (groups in order of first appearance, claims
in the given order within a group); every text is HTML-escaped. Numbers are printed with
four significant digits, in scientific notation below 10⁻³ and from 10⁴ on
(:func:`format_number`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from seqmem.errors import SeqmemValueError, check_positive
from seqmem.report.claim import Claim, check_figure_name
from seqmem.report.page import Page
from seqmem.report.text import format_number, math_html

__all__ = ["PNG_SIGNATURE", "Claim", "format_number", "math_html", "write_report"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MODES = ("smoke", "quick", "full")


def write_report(
    out_dir: str | Path,
    claims: Sequence[Claim],
    *,
    seconds: float,
    title: str = "seqmem — reproduction of the curse-of-memory paper",
    mode: str = "quick",
    extra_figures: Mapping[str, str] | None = None,
    provenance: Mapping[str, object] | None = None,
) -> dict[str, Path]:
    """Write ``summary.json``, ``report.md`` and ``report.html`` into ``out_dir``.

    ``claims`` are laid out as given (see the module docstring); ``seconds`` is the run
    time to report (≥ 0); ``mode`` is ``"smoke"``, ``"quick"`` or ``"full"``; ``extra_figures`` maps
    the file names of further PNGs in ``out_dir`` (not attached to a claim) to captions,
    shown in an "Other figures" section; ``provenance`` (:func:`seqmem.provenance.provenance`)
    goes into ``summary.json`` and the reports' headers. Returns the paths written, keyed
    ``"summary"``, ``"markdown"`` and ``"html"``. Raises :class:`SeqmemValueError` on a
    duplicate claim id, a claim that is not a :class:`Claim`, or a figure missing from
    ``out_dir``.

    >>> import json, tempfile
    >>> claim = Claim("bound", "The Jackson bound holds.", 0.5, "ratio ≤ 1", True, "§4")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_report(folder, [claim], seconds=1.5)
    ...     json.loads(paths["summary"].read_text())["claims"][0]["passed"]
    True
    """
    claims = list(claims)
    seen: set[str] = set()
    for index, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise SeqmemValueError(
                f"claims[{index}] of write_report must be a Claim; got {type(claim).__name__}"
            )
        if claim.id in seen:
            raise SeqmemValueError(f"the claim id {claim.id!r} appears twice; ids must be unique")
        seen.add(claim.id)
    seconds = check_positive("seconds", seconds, owner="write_report", allow_zero=True)
    if mode not in _MODES:
        raise SeqmemValueError(
            f"the 'mode' of write_report must be 'quick' or 'full'; got {mode!r}"
        )
    if not isinstance(title, str) or not title.strip():
        raise SeqmemValueError(
            f"the 'title' of write_report must be a non-empty string; got {title!r}"
        )
    extra = dict(extra_figures or {})
    for name, caption in extra.items():
        check_figure_name(name, owner="extra_figures")
        if not isinstance(caption, str):
            raise SeqmemValueError(f"the caption of extra figure {name!r} must be a string")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    images = {}
    for claim in claims:
        if claim.figure is not None and claim.figure not in images:
            images[claim.figure] = _read_png(out, claim.figure, owner=f"claim {claim.id!r}")
    for name in extra:
        if name not in images:
            images[name] = _read_png(out, name, owner="extra_figures")

    page = Page(title, claims, seconds, mode, extra, dict(provenance or {}))
    paths = {
        "summary": out / "summary.json",
        "markdown": out / "report.md",
        "html": out / "report.html",
    }
    paths["summary"].write_text(json.dumps(page.summary(), indent=2, allow_nan=False) + "\n")
    paths["markdown"].write_text(page.markdown(), encoding="utf-8")
    paths["html"].write_text(page.html(images), encoding="utf-8")
    return paths


def _read_png(out: Path, name: str, *, owner: str) -> bytes:
    path = out / name
    if not path.is_file():
        raise SeqmemValueError(f"the figure {name!r} of {owner} is missing: no file {path}")
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise SeqmemValueError(f"the figure {name!r} of {owner} is not a PNG file ({path})")
    return data
