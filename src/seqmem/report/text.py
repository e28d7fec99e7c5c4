"""How the report writes numbers and text: significant digits, sub- and superscripts,
Markdown-safe cells, durations and parameter values."""

from __future__ import annotations

import html
import json
import math
import re


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


def duration(seconds: float) -> str:
    """``seconds`` as "12.3 s" below a minute, else as "4 min 05 s"."""
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def measured(value: float) -> str:
    """A measured value by :func:`format_number`, NaN as "— (not measured)"."""
    return "— (not measured)" if math.isnan(value) else format_number(value)


def parameter(value: object) -> str:
    """A parameter value: floats by :func:`format_number`, strings as they are, flat lists
    comma-separated, anything else as JSON."""
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(item, int | float | str) and not isinstance(item, bool) for item in value
    ):
        return ", ".join(parameter(item) for item in value)
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


def md(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph (no raw HTML, no '|')."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")
