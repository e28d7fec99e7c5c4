"""Provenance: run ids follow the code, older results are kept but never served as current."""

import re
import shutil
from pathlib import Path

import pytest

from seqmem import provenance
from seqmem.sweep.config import parse_config
from seqmem.sweep.execute import run_sweep
from seqmem.sweep.store import ResultsStore

CONFIG = 'experiment = "approx"\n[fixed]\nspec = "exp(rate=1)+exp(rate=3)"\n[grid]\nwidth = [1, 2]'


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of two package files that the fingerprint is taken over instead."""
    for name in ("__init__.py", "provenance.py"):
        shutil.copy(Path(provenance.__file__).parent / name, tmp_path / name)
    monkeypatch.setattr(provenance, "_PACKAGE", tmp_path)
    provenance.code_fingerprint.cache_clear()
    yield tmp_path
    provenance.code_fingerprint.cache_clear()


def test_fingerprint_changes_with_any_source_file(package_copy):
    before = provenance.code_fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", before)
    provenance.code_fingerprint.cache_clear()
    assert provenance.code_fingerprint() == before  # deterministic
    with (package_copy / "provenance.py").open("a") as file:
        file.write("\n# a comment is a change of code too\n")
    provenance.code_fingerprint.cache_clear()
    assert provenance.code_fingerprint() != before
    (package_copy / "new_module.py").write_text("x = 1\n")
    provenance.code_fingerprint.cache_clear()
    assert len({before, provenance.code_fingerprint()}) == 2


def test_run_ids_follow_the_code_version(monkeypatch):
    ids = {}
    for fingerprint in ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"):
        monkeypatch.setattr(provenance, "code_fingerprint", lambda f=fingerprint: f)
        ids[fingerprint] = [run.id for run in parse_config(CONFIG).runs]
    assert len(set(ids["aaaaaaaaaaaaaaaa"]) | set(ids["bbbbbbbbbbbbbbbb"])) == 4


def test_results_of_other_code_are_recomputed_and_kept(tmp_path, monkeypatch):
    with ResultsStore(tmp_path / "results.sqlite") as store:
        for fingerprint in ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"):
            monkeypatch.setattr(provenance, "code_fingerprint", lambda f=fingerprint: f)
            run_sweep(parse_config(CONFIG), store, workers=1, progress=False)
        runs = store.runs()
    versions = sorted(run.version for run in runs)
    assert versions == ["0.1.0+" + "a" * 16] * 2 + ["0.1.0+" + "b" * 16] * 2
    assert all(run.status == "done" for run in runs)
    first, second = (
        sorted((run.config["width"], run.metrics["l1_error"]) for run in runs if run.version == v)
        for v in sorted(set(versions))
    )
    assert first == second  # the same code path, recomputed: the same numbers


def test_provenance_names_code_machine_plan_and_seeds():
    origin = provenance.provenance(plan="quick", seeds=[3, 0])
    assert origin["code"] == provenance.code_fingerprint() and origin["seeds"] == [0, 3]
    assert origin["python"].count(".") == 2 and origin["plan"] == "quick"
    checkout = Path(provenance.__file__).resolve().parents[2] / ".git"
    if checkout.exists() and shutil.which("git"):  # a source checkout: its commit is named
        assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", origin["commit"])
