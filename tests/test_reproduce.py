"""`seqmem reproduce` end to end on the smoke plan: every claim and figure in the report."""

import base64
import json
from html.parser import HTMLParser

import pytest

from seqmem import SeqmemValueError
from seqmem.provenance import code_fingerprint
from seqmem.report import PNG_SIGNATURE
from seqmem.reproduce import reproduce
from seqmem.sweep.store import ResultsStore

DESIGN_CLAIM_KEYS = {"id", "statement", "measured", "expected", "passed"}


class _Page(HTMLParser):
    """Section ids and embedded images of report.html."""

    def __init__(self):
        super().__init__()
        self.sections, self.images = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id", "").startswith("claim-"):
            self.sections.add(attrs["id"].removeprefix("claim-"))
        if tag == "img":
            self.images.append(attrs["src"])


def test_summary_follows_the_contract(smoke):
    out, result = smoke
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["claims"]) >= 12 and summary["seconds"] > 0
    for claim in summary["claims"]:
        assert set(claim) == DESIGN_CLAIM_KEYS
        assert claim["measured"] is None or isinstance(claim["measured"], float)
        assert claim["expected"] and isinstance(claim["passed"], bool)
    assert [c["id"] for c in summary["claims"]] == [c.id for c in result.claims]
    origin = summary["provenance"]
    assert set(origin) == {
        "seqmem", "code", "commit", "python", "jax", "numpy", "scipy", "platform", "plan",
        "seeds",
    }  # fmt: skip
    assert origin["code"] == code_fingerprint() and origin["plan"] == "smoke"
    assert origin["seeds"] == [0, 1, 2]  # the sampled-data runs, one set per seed
    assert f"code: {origin['code']}" in (out / "report.md").read_text()
    assert f"code: {origin['code']}" in (out / "report.html").read_text()


def test_report_has_every_claim_and_figure(smoke):
    out, result = smoke
    page = _Page()
    page.feed((out / "report.html").read_text())
    assert page.sections == {claim.id for claim in result.claims}
    figures = {claim.figure for claim in result.claims if claim.figure}
    assert len(page.images) == len(figures)  # each figure embedded once
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    for name in figures:
        assert (out / name).read_bytes().startswith(PNG_SIGNATURE)
    markdown = (out / "report.md").read_text()
    assert all(claim.id in markdown for claim in result.claims)


def test_the_papers_main_claims_hold_even_on_the_smoke_plan(smoke):
    _, result = smoke
    held = {claim.id: claim.passed for claim in result.claims}
    for claim_id in (
        "universal-approximation",
        "hankel-floor",
        "inverse-theorem",
        "no-plateau",
        "plateau-level",
        "plateau-exponential",
        "gd-flow-time",
    ):
        assert held[claim_id], claim_id


def test_a_second_run_resumes_from_the_store(smoke):
    out, first = smoke
    with ResultsStore(out / "results.sqlite") as store:
        before = {run.id: run.finished_at for run in store.runs()}
    again = reproduce(out, mode="smoke", workers=1, progress=False)
    with ResultsStore(out / "results.sqlite") as store:
        assert {run.id: run.finished_at for run in store.runs()} == before  # nothing rerun
    assert [c.measured for c in again.claims] == pytest.approx(
        [c.measured for c in first.claims], nan_ok=True
    )


def test_unknown_mode(tmp_path):
    with pytest.raises(SeqmemValueError, match="mode must be one of"):
        reproduce(tmp_path, mode="fast")
