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

import base64
import dataclasses
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path, PurePosixPath

import numpy as np

from seqmem.errors import SeqmemValueError, check_positive

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MODES = ("smoke", "quick", "full")


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
            _check_figure_name(self.figure, owner=f"claim {self.id!r}")


def format_number(value: float) -> str:
    """Four significant digits; scientific below 10⁻³ and from 10⁴ on; NaN as "—".

    >>> [format_number(x) for x in (0.0, 3.0, 0.98765, 1234.5, 12345.0, 2.5e-7, float("nan"))]
    ['0', '3', '0.9877', '1234', '1.234e+4', '2.5e-7', '—']
    """
    if math.isnan(value):
        return "—"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{'-' if exponent[0] == '-' else '+'}{int(exponent[1:])}"


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
        _check_figure_name(name, owner="extra_figures")
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

    page = _Page(title, claims, seconds, mode, extra, dict(provenance or {}))
    paths = {
        "summary": out / "summary.json",
        "markdown": out / "report.md",
        "html": out / "report.html",
    }
    paths["summary"].write_text(json.dumps(page.summary(), indent=2, allow_nan=False) + "\n")
    paths["markdown"].write_text(page.markdown(), encoding="utf-8")
    paths["html"].write_text(page.html(images), encoding="utf-8")
    return paths


def _check_figure_name(name: object, *, owner: str) -> None:
    if not isinstance(name, str) or not name.lower().endswith(".png"):
        raise SeqmemValueError(f"the figure of {owner} must be a '.png' file name; got {name!r}")
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise SeqmemValueError(
            f"the figure of {owner} must be a file name inside the output folder; got {name!r}"
        )


def _read_png(out: Path, name: str, *, owner: str) -> bytes:
    path = out / name
    if not path.is_file():
        raise SeqmemValueError(f"the figure {name!r} of {owner} is missing: no file {path}")
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise SeqmemValueError(f"the figure {name!r} of {owner} is not a PNG file ({path})")
    return data


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _measured(value: float) -> str:
    return "— (not measured)" if math.isnan(value) else format_number(value)


def _parameter(value: object) -> str:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(item, int | float | str) and not isinstance(item, bool) for item in value
    ):
        return ", ".join(_parameter(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


_SCRIPT = re.compile(r"([_^])\{((?:[^{}]|\{[^{}]*\})*)\}")


def math_html(text: str) -> str:
    """HTML-escaped ``text`` with ``x_{…}`` and ``x^{…}`` set as sub- and superscripts.

    >>> math_html("σ_{m+1} ≤ e^{−c√(ωm)} & m^{−(α+3/2)}")
    'σ<sub>m+1</sub> ≤ e<sup>−c√(ωm)</sup> &amp; m<sup>−(α+3/2)</sup>'
    """

    def script(match: re.Match) -> str:
        tag = "sub" if match.group(1) == "_" else "sup"
        return f"<{tag}>{_SCRIPT.sub(script, match.group(2))}</{tag}>"  # nested: e^{x_{1}}

    return _SCRIPT.sub(script, html.escape(text))


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph (no raw HTML, no '|')."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
background:#fff;margin:0}
main,header,footer{max-width:1080px;margin:0 auto;padding:0 24px}
header{padding-top:28px;border-bottom:1px solid #ddd;padding-bottom:12px}
h1{font-size:1.7em;margin:0 0 6px}h2{margin-top:2.2em;border-bottom:1px solid #e4e4e4}
h3{margin:0 0 .4em;font-size:1.15em}.tally{font-size:1.15em;margin:0}
.failures{margin:.3em 0 0;color:#a4161a}.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.8em 0}
th,td{border:1px solid #d8d8d8;padding:6px 10px;text-align:left;vertical-align:top}
thead th{background:#f2f2f2}tbody tr:nth-child(even){background:#fafafa}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap;text-align:right}
td.held{white-space:nowrap;font-weight:600}
tr.ok td.held,.mark.ok{background:#e3f5e6;color:#0b6b1f}
tr.bad td.held,.mark.bad{background:#fbe3e4;color:#a4161a}
tr.group th{background:#e9eef5;font-weight:600}
.statement{color:#555;font-size:.9em}a{color:#0645ad}
section.claim{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;
padding:14px 18px;margin:1.2em 0}
section.claim.ok{border-left-color:#2e9d48}section.claim.bad{border-left-color:#c9302c}
.mark{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600}
.measure{font-size:1.05em}.measure b{font-variant-numeric:tabular-nums}
table.params{width:auto;font-size:.9em}table.params th{background:#f6f6f6;font-weight:500}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
@media (max-width:600px){main,header{padding:0 10px}th,td{padding:4px 6px}}
footer{color:#666;font-size:.9em;border-top:1px solid #ddd;margin-top:3em;padding:12px 24px 28px}
"""


class _Page:
    """The report's content, rendered as JSON, Markdown or HTML (layout only)."""

    def __init__(self, title, claims, seconds, mode, extra, provenance):
        self.title, self.claims, self.seconds, self.mode = title, claims, seconds, mode
        self.extra, self.provenance = extra, provenance
        self.held = sum(claim.passed for claim in claims)
        self.groups: dict[str, list[Claim]] = {}
        for claim in claims:
            self.groups.setdefault(claim.section, []).append(claim)

    @property
    def tally(self) -> str:
        return f"{self.held} of {len(self.claims)} claims held"

    @property
    def not_held(self) -> list[str]:
        return [claim.id for claim in self.claims if not claim.passed]

    @property
    def footer(self) -> str:
        return f"mode: {self.mode} · run time: {_duration(self.seconds)}"

    @property
    def origin(self) -> str:
        """One line: what code, on what machine, with what plan and seeds."""
        return " · ".join(f"{key}: {_parameter(value)}" for key, value in self.provenance.items())

    def summary(self) -> dict:
        rows = [
            {
                "id": c.id,
                "statement": c.statement,
                "measured": None if math.isnan(c.measured) else c.measured,
                "expected": c.expected,
                "passed": c.passed,
            }
            for c in self.claims
        ]
        failed = len(self.claims) - self.held
        return {"claims": rows, "seconds": self.seconds, "mode": self.mode,
                "passed": self.held, "failed": failed,
                "provenance": self.provenance}  # fmt: skip

    def markdown(self) -> str:
        lines = [f"# {_md(self.title)}", "", f"**{self.tally}** ({self.footer})", ""]
        if self.provenance:
            lines += [f"Computed by {_md(self.origin)}", ""]
        if self.not_held:
            lines += [f"Not held: {', '.join(_md(name) for name in self.not_held)}", ""]
        lines += ["| claim | measured | expected | held |", "|---|---:|---|:---:|"]
        for c in self.claims:
            held = "✓ held" if c.passed else "✗ not held"
            lines.append(
                f"| {_md(c.id)} | {format_number(c.measured)} | {_md(c.expected)} | {held} |"
            )
        for section, claims in self.groups.items():
            lines += ["", f"## {_md(section)}"]
            for c in claims:
                lines += [
                    "",
                    f"### {'✓' if c.passed else '✗'} {_md(c.id)}",
                    "",
                    _md(c.statement),
                    "",
                ]
                lines.append(
                    f"Measured **{_measured(c.measured)}**; expected {_md(c.expected)}: "
                    f"{'held' if c.passed else 'not held'}."
                )
                lines += [f"\n{_md(p)}" for p in c.details.split("\n\n") if p.strip()]
                if c.parameters:
                    lines += ["", "| parameter | value |", "|---|---|"]
                    lines += [
                        f"| {_md(str(k))} | {_md(_parameter(v))} |" for k, v in c.parameters.items()
                    ]
                if c.figure:
                    lines += ["", f"![figure for claim {_md(c.id)}]({c.figure})"]
        if self.extra:
            lines += ["", "## Other figures"]
            for name, caption in self.extra.items():
                lines += ["", f"![{_md(caption or name)}]({name})"]
                lines += ["", _md(caption)] if caption.strip() else []
        lines += ["", "---", "", self.footer, ""]
        return "\n".join(lines)

    def html(self, images: Mapping[str, bytes]) -> str:
        e, m = html.escape, math_html
        anchors = {name: f"figure-{i}" for i, name in enumerate(images, start=1)}
        embedded: set[str] = set()

        def figure(name: str, alt: str, caption: str) -> str:
            if name in embedded:
                link = f'<a href="#{anchors[name]}">{e(caption)}</a>'
                return f'<p class="figref">Figure: {link} (shown above).</p>'
            embedded.add(name)
            data = base64.b64encode(images[name]).decode("ascii")
            return (
                f'<figure id="{anchors[name]}"><img src="data:image/png;base64,{data}" '
                f'alt="{e(alt)}"><figcaption>{e(caption)}</figcaption></figure>'
            )

        def mark(passed: bool) -> str:
            return (
                '<span class="mark ok">✓ held</span>'
                if passed
                else '<span class="mark bad">✗ not held</span>'
            )

        rows = []
        for section, claims in self.groups.items():
            rows.append(f'<tr class="group"><th colspan="4">{e(section)}</th></tr>')
            for c in claims:
                rows.append(
                    f'<tr class="claim {"ok" if c.passed else "bad"}" data-claim="{e(c.id)}">'
                    f'<td><a href="#claim-{e(c.id)}">{e(c.id)}</a><br>'
                    f'<span class="statement">{m(c.statement)}</span></td>'
                    f'<td class="num">{format_number(c.measured)}</td><td>{m(c.expected)}</td>'
                    f'<td class="held">{"✓ held" if c.passed else "✗ not held"}</td></tr>'
                )
        body = []
        for section, claims in self.groups.items():
            body.append(f"<h2>{e(section)}</h2>")
            for c in claims:
                status = "ok" if c.passed else "bad"
                parts = [
                    f'<section class="claim {status}" id="claim-{e(c.id)}">',
                    f"<h3>{e(c.id)} {mark(c.passed)}</h3>",
                    f'<p class="statement-full">{m(c.statement)}</p>',
                    f'<p class="measure">Measured <b>{_measured(c.measured)}</b>; '
                    f"expected {m(c.expected)}.</p>",
                ]
                parts += [f"<p>{m(p.strip())}</p>" for p in c.details.split("\n\n") if p.strip()]
                if c.parameters:
                    cells = "".join(
                        f"<tr><th>{e(str(k))}</th><td>{e(_parameter(v))}</td></tr>"
                        for k, v in c.parameters.items()
                    )
                    parts.append(f'<table class="params"><tbody>{cells}</tbody></table>')
                if c.figure:
                    parts.append(figure(c.figure, f"figure for claim {c.id}", c.figure))
                body.append("\n".join([*parts, "</section>"]))
        if self.extra:
            body.append("<h2>Other figures</h2>")
            body += [
                figure(name, caption or name, caption or name)
                for name, caption in self.extra.items()
            ]
        failures = ", ".join(f'<a href="#claim-{e(n)}">{e(n)}</a>' for n in self.not_held)
        failures = f'<p class="failures">Not held: {failures}</p>' if failures else ""
        origin = f'<p class="origin">Computed by {e(self.origin)}</p>' if self.provenance else ""
        table = (
            '<div class="scroll"><table class="claims"><thead><tr><th>claim</th>'
            "<th>measured</th><th>expected</th>"
            f"<th>held</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(self.title)}</title><style>{_CSS}</style></head><body>\n"
            f'<header><h1>{e(self.title)}</h1><p class="tally">{e(self.tally)} '
            f"({e(self.mode)} mode)</p>{origin}{failures}</header>\n<main>\n<h2>Claims</h2>\n"
            f"{table}\n"
            + "\n".join(body)
            + f"\n</main>\n<footer>{e(self.footer)}</footer>\n</body></html>\n"
        )
