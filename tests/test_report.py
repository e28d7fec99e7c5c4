"""The report lays out what it is given: every claim, number, mark and figure, escaped.

The HTML page is read back with the standard library's ``html.parser`` (an independent
reader), the summary with ``json`` and the Markdown as text; each check is about what a
reader or a downstream tool relies on, not about the exact markup.
"""

import base64
import json
import math
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqmem.errors import SeqmemValueError
from seqmem.report import PNG_SIGNATURE, Claim, format_number, write_report

APPROX, OPTIM = "Approximation (paper §4)", "Optimisation (paper §5)"
HOSTILE = 'The <script>alert("x")</script> bound & "quotes" | pipes hold.'


def _png(path, slope):
    figure, axis = plt.subplots(figsize=(2, 1.5))
    axis.plot([0, 1], [0, slope])
    figure.savefig(path, dpi=40)
    plt.close(figure)


def _claims():
    """13 claims over two sections: held and not, a NaN, a shared figure, hostile text."""
    claims = []
    for i in range(13):
        claims.append(
            Claim(
                id=f"claim-{i:02d}",
                statement=f"Statement number {i} of the paper.",
                measured=[0.98765, 1.5e-7, 12345.0, 3.0][i % 4] * (i + 1),
                expected=f"value ≥ {i}",
                passed=i % 3 != 1,
                section=APPROX if i < 7 else OPTIM,
                details=f"Measured by experiment {i}.\n\nSecond paragraph {i}.",
                parameters={"memory": [3, 5, 7], "rate": 0.25, "optimizer": "gd", "i": i},
                figure="curves.png" if i in (0, 4, 8) else "plateaus.png" if i == 9 else None,
            )
        )
    claims[5] = Claim("nan-claim", HOSTILE, float("nan"), "a < b & c > d", False, APPROX)
    claims[6] = Claim("numpy-claim", "Numpy types are accepted.", np.float64(2.5),
                      "≥ 1", np.bool_(True), APPROX)  # fmt: skip
    return claims


class _Reader(HTMLParser):
    """Collects what a reader sees: tags, sections, images, claims-table rows, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.sections, self.images, self.ids, self.hrefs = [], [], [], [], []
        self.rows, self.text, self._cell, self._in_claims = [], [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "section":
            self.sections.append(attrs.get("id"))
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "a":
            self.hrefs.append(attrs.get("href"))
        elif tag == "table" and "claims" in attrs.get("class", ""):
            self._in_claims = True
        elif tag == "tr" and self._in_claims and "claim" in attrs.get("class", "").split():
            self.rows.append({"id": attrs.get("data-claim"), "cells": []})
        elif tag == "td" and self._in_claims and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._in_claims = False

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    _png(out / "curves.png", 1.0)
    _png(out / "plateaus.png", -1.0)
    _png(out / "hsv.png", 0.5)
    claims = _claims()
    paths = write_report(
        out, claims, seconds=83.25, mode="full", extra_figures={"hsv.png": "Hankel <values>"}
    )
    page = paths["html"].read_text(encoding="utf-8")
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return {"out": out, "claims": claims, "paths": paths, "page": page, "reader": reader}


def test_paths_returned_are_the_three_files(report):
    out = report["out"]
    assert report["paths"] == {
        "summary": out / "summary.json",
        "markdown": out / "report.md",
        "html": out / "report.html",
    }


def test_every_claim_has_one_section_with_its_statement(report):
    reader, claims = report["reader"], report["claims"]
    assert sorted(reader.sections) == sorted(f"claim-{c.id}" for c in claims)
    text = "".join(reader.text)
    for claim in claims:
        assert claim.statement in text
        assert claim.expected in text


def test_text_is_escaped_not_markup(report):
    reader, page = report["reader"], report["page"]
    assert "script" not in reader.tags
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "Hankel <values>" in reader.images[-1]["alt"]


def test_every_figure_embedded_once_as_png_data(report):
    out, reader = report["out"], report["reader"]
    files = {(out / n).read_bytes() for n in ("curves.png", "plateaus.png", "hsv.png")}
    decoded = []
    for image in reader.images:
        prefix, data = image["src"].split(",", 1)
        assert prefix == "data:image/png;base64"
        decoded.append(base64.b64decode(data, validate=True))
        assert decoded[-1].startswith(PNG_SIGNATURE)
        assert image["alt"]
    assert len(decoded) == 3 and set(decoded) == files


def test_self_contained_and_every_anchor_resolves(report):
    reader = report["reader"]
    assert not {"link", "script", "iframe", "object"} & set(reader.tags)
    assert len(reader.ids) == len(set(reader.ids))
    for href in reader.hrefs:
        assert href.startswith("#") and href[1:] in reader.ids
    # claims 4 and 8 reuse curves.png: each links to the copy embedded in claim-00
    assert sum(h == "#figure-1" for h in reader.hrefs) == 2


def test_claims_table_one_row_per_claim_with_its_mark(report):
    reader, claims = report["reader"], report["claims"]
    by_id = {c.id: c for c in claims}
    assert sorted(r["id"] for r in reader.rows) == sorted(by_id)
    for row in reader.rows:
        claim = by_id[row["id"]]
        name, measured, expected, held = row["cells"]
        assert name.startswith(claim.id)
        assert measured == format_number(claim.measured)
        assert expected == claim.expected
        assert held == ("✓ held" if claim.passed else "✗ not held")
    nan_row = next(row for row in reader.rows if row["id"] == "nan-claim")
    assert nan_row["cells"][1:] == ["—", "a < b & c > d", "✗ not held"]


def test_header_and_footer(report):
    text = "".join(report["reader"].text)
    held = sum(c.passed for c in report["claims"])
    assert f"{held} of 13 claims held" in text
    assert "mode: full" in text and "1 min 23 s" in text
    not_held = [f"#claim-{c.id}" for c in report["claims"] if not c.passed]
    assert report["reader"].hrefs[: len(not_held)] == not_held  # header links the failures
    assert "Measured — (not measured); expected a < b & c > d." in text


def test_summary_json_follows_the_contract(report):
    summary = json.loads(report["paths"]["summary"].read_text())
    claims = report["claims"]
    assert summary["seconds"] == 83.25 and summary["mode"] == "full"
    assert summary["passed"] + summary["failed"] == 13
    assert summary["passed"] == sum(c.passed for c in claims)
    assert [row["id"] for row in summary["claims"]] == [c.id for c in claims]
    for row, claim in zip(summary["claims"], claims, strict=True):
        assert set(row) == {"id", "statement", "measured", "expected", "passed"}
        assert row["statement"] == claim.statement and row["expected"] == claim.expected
        assert row["passed"] is claim.passed
        if math.isnan(claim.measured):
            assert row["measured"] is None
        else:
            assert row["measured"] == claim.measured and type(row["measured"]) is float


def test_markdown_has_table_rows_and_image_links(report):
    text = report["paths"]["markdown"].read_text(encoding="utf-8")
    claims = report["claims"]
    assert "| claim | measured | expected | held |" in text
    for claim in claims:
        mark = "✓ held" if claim.passed else "✗ not held"
        assert f"| {claim.id} | {format_number(claim.measured)} |" in text
        assert f"{mark} |" in text
    assert text.count("](curves.png)") == 3 and "](plateaus.png)" in text
    assert "](hsv.png)" in text
    assert "<script>" not in text and "\\| pipes" in text
    assert f"{sum(c.passed for c in claims)} of 13 claims held" in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-2.0, "-2"),
        (0.123456, "0.1235"),
        (9999.0, "9999"),
        (1e4, "1e+4"),
        (-6.02e23, "-6.02e+23"),
        (1.23456e-12, "1.235e-12"),
        (float("nan"), "—"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def _claim(**changes):
    fields = {"id": "c", "statement": "s", "measured": 1.0, "expected": "e", "passed": True,
              "section": "§4"}  # fmt: skip
    return Claim(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "has space"}, "'id' of Claim"),
        ({"id": ""}, "'id' of Claim"),
        ({"statement": "  "}, "'statement' of claim 'c' must be a non-empty string"),
        ({"expected": ""}, "'expected' of claim 'c'"),
        ({"passed": 1}, "'passed' of claim 'c' must be True or False"),
        ({"passed": "yes"}, "'passed' of claim 'c'"),
        ({"measured": math.inf}, "'measured' of claim 'c' must be finite or NaN"),
        ({"measured": "0.5"}, "'measured' of claim 'c' must be a real number"),
        ({"parameters": {"x": object()}}, "'parameters' of claim 'c' must be JSON-able"),
        ({"parameters": [1]}, "'parameters' of claim 'c' must be a mapping"),
        ({"figure": "../up.png"}, "inside the output folder"),
        ({"figure": "plot.svg"}, "must be a '.png' file name"),
    ],
)
def test_invalid_claim_raises_one_line(changes, message):
    with pytest.raises(SeqmemValueError, match=message.replace("(", r"\(")) as error:
        _claim(**changes)
    assert "\n" not in str(error.value)


def test_invalid_report_input_raises_one_line(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "fake.png").write_bytes(b"not a png")
    cases = [
        ([_claim(), _claim()], {}, "claim id 'c' appears twice"),
        (["c"], {}, r"claims\[0\] of write_report must be a Claim"),
        ([_claim(figure="gone.png")], {}, "figure 'gone.png' of claim 'c' is missing"),
        ([_claim(figure="fake.png")], {}, "figure 'fake.png' of claim 'c' is not a PNG"),
        ([_claim()], {"mode": "fast"}, "'mode' of write_report must be 'quick' or 'full'"),
        ([_claim()], {"seconds": -1.0}, "'seconds' of write_report must be ≥ 0"),
        ([_claim()], {"extra_figures": {"none.png": "x"}}, "figure 'none.png' of extra_figures"),
    ]
    for claims, options, message in cases:
        with pytest.raises(SeqmemValueError, match=message) as error:
            write_report(tmp_path / "out", claims, **({"seconds": 1.0} | options))
        assert "\n" not in str(error.value)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fake.png"]  # nothing written


def test_formulas_render_with_sub_and_superscripts(tmp_path):
    claim = Claim(
        "floor", "No width-m error is below σ_{m+1}.", 1.5, "error/σ_{m+1} ≥ 1, e^{−cm}", True, "§3"
    )
    paths = write_report(tmp_path, [claim], seconds=1.0)
    page = paths["html"].read_text()
    assert "σ<sub>m+1</sub>" in page and "e<sup>−cm</sup>" in page
    assert "_{" not in page and "^{" not in page  # no raw TeX-like markup left in the HTML
    assert "σ_{m+1}" in paths["markdown"].read_text()  # Markdown keeps the plain form
