"""The report's page: the claims laid out as Markdown and as one self-contained HTML page.

Layout only: :class:`Page` takes validated claims and the PNG bytes of their figures and
renders them (the layout rules are in the docstring of :mod:`seqmem.report`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

from seqmem.report.claim import Claim
from seqmem.report.text import (
    duration,
    format_number,
    math_html,
    md,
    measured,
    parameter,
)

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


class Page:
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
        return f"mode: {self.mode} · run time: {duration(self.seconds)}"

    @property
    def origin(self) -> str:
        """One line: what code, on what machine, with what plan and seeds."""
        return " · ".join(f"{key}: {parameter(value)}" for key, value in self.provenance.items())

    def summary(self) -> dict:
        """The content of ``summary.json``."""
        failed = len(self.claims) - self.held
        return {"claims": [c.summary_row() for c in self.claims], "seconds": self.seconds,
                "mode": self.mode, "passed": self.held, "failed": failed,
                "provenance": self.provenance}  # fmt: skip

    def markdown(self) -> str:
        lines = [f"# {md(self.title)}", "", f"**{self.tally}** ({self.footer})", ""]
        if self.provenance:
            lines += [f"Computed by {md(self.origin)}", ""]
        if self.not_held:
            lines += [f"Not held: {', '.join(md(name) for name in self.not_held)}", ""]
        lines += ["| claim | measured | expected | held |", "|---|---:|---|:---:|"]
        for c in self.claims:
            held = "✓ held" if c.passed else "✗ not held"
            lines.append(
                f"| {md(c.id)} | {format_number(c.measured)} | {md(c.expected)} | {held} |"
            )
        for section, claims in self.groups.items():
            lines += ["", f"## {md(section)}"]
            for c in claims:
                lines += [
                    "",
                    f"### {'✓' if c.passed else '✗'} {md(c.id)}",
                    "",
                    md(c.statement),
                    "",
                ]
                lines.append(
                    f"Measured **{measured(c.measured)}**; expected {md(c.expected)}: "
                    f"{'held' if c.passed else 'not held'}."
                )
                lines += [f"\n{md(p)}" for p in c.details.split("\n\n") if p.strip()]
                if c.parameters:
                    lines += ["", "| parameter | value |", "|---|---|"]
                    lines += [
                        f"| {md(str(k))} | {md(parameter(v))} |" for k, v in c.parameters.items()
                    ]
                if c.figure:
                    lines += ["", f"![figure for claim {md(c.id)}]({c.figure})"]
        if self.extra:
            lines += ["", "## Other figures"]
            for name, caption in self.extra.items():
                lines += ["", f"![{md(caption or name)}]({name})"]
                lines += ["", md(caption)] if caption.strip() else []
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
                    f'<p class="measure">Measured <b>{measured(c.measured)}</b>; '
                    f"expected {m(c.expected)}.</p>",
                ]
                parts += [f"<p>{m(p.strip())}</p>" for p in c.details.split("\n\n") if p.strip()]
                if c.parameters:
                    cells = "".join(
                        f"<tr><th>{e(str(k))}</th><td>{e(parameter(v))}</td></tr>"
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
