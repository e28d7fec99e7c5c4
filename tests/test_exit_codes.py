"""Exit codes of ``seqmem bench`` and ``seqmem reproduce``: 0 success, 2 bad input, 1 internal.

The bench tests run tiny fake benchmark scripts from a temporary folder (never the real
``benchmarks/``); the reproduce tests give an ``--out`` that cannot be created and check
that it is refused before any computation (planning the runs is made to fail loudly).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import seqmem.bench
import seqmem.reproduce
from seqmem.bench import BenchmarkFailure, run_benchmarks
from seqmem.cli import main
from seqmem.errors import SeqmemValueError
from seqmem.reproduce import prepare_out_dir

ROW = {
    "name": "x",
    "seconds": 0.5,
    "baseline": None,
    "baseline_seconds": None,
    "ratio": None,
    "kind": None,
}

SCRIPTS = {
    # a script whose check holds: its rows, exit 0
    "passing": """
        import json, sys
        print(json.dumps([json.loads({row})]))
        print("agreement: outputs identical", file=sys.stderr)
        sys.exit(0)
    """,
    # the benchmarks' convention for a failed correctness check: rows printed, exit 1
    "failing": """
        import json, sys
        print(json.dumps([json.loads({row})]))
        print("agreement: outputs DIFFER by 3e-2", file=sys.stderr)
        sys.exit(1)
    """,
    # an uncaught exception: a traceback on stderr, exit 1, no rows
    "crashing": """
        raise RuntimeError("boom")
    """,
    # exit 0 without the JSON contract
    "silent": """
        print("not json")
    """,
}
TABLE = {name: {"quick": ["--quick"], "full": []} for name in SCRIPTS}


def write_scripts(folder: Path) -> None:
    for name, source in SCRIPTS.items():
        row = repr(json.dumps({**ROW, "name": f"{name}_path"}))
        (folder / f"{name}.py").write_text(textwrap.dedent(source).replace("{row}", row))


@pytest.fixture
def fake_benchmarks(tmp_path, monkeypatch):
    """A folder of fake scripts, also installed as the default of ``seqmem bench``."""
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    write_scripts(folder)
    monkeypatch.setattr(seqmem.bench, "BENCHMARKS", TABLE)
    monkeypatch.setattr(seqmem.bench, "benchmark_folder", lambda: folder)
    return folder


def stderr_lines(captured) -> list[str]:
    return [line for line in captured.err.splitlines() if line.strip()]


def test_run_benchmarks_takes_a_folder_and_raises_after_running_every_script(tmp_path):
    write_scripts(tmp_path)
    assert run_benchmarks(["passing"], folder=tmp_path, benchmarks=TABLE) == [
        {**ROW, "name": "passing.passing_path"}
    ]
    with pytest.raises(BenchmarkFailure) as caught:
        run_benchmarks(["failing", "passing"], folder=tmp_path, benchmarks=TABLE)
    assert caught.value.rows == [{**ROW, "name": "passing.passing_path"}]
    (failure,) = caught.value.failures
    assert failure == (
        "benchmark failing.py failed its correctness check (exit status 1): "
        "agreement: outputs DIFFER by 3e-2"
    )
    with pytest.raises(SeqmemValueError, match="unknown benchmark 'recurrence'"):
        run_benchmarks(["recurrence"], folder=tmp_path, benchmarks=TABLE)


def test_bench_exits_1_naming_the_script_whose_check_failed(fake_benchmarks, capsys):
    status = main(["bench", "--only", "passing,failing", "--json"])
    captured = capsys.readouterr()
    assert status == 1
    (line,) = stderr_lines(captured)
    assert line.startswith("seqmem: internal error: ")
    assert "failing.py failed its correctness check (exit status 1)" in line
    assert "Traceback" not in captured.err
    # the rows of the script that passed are still printed, in the unchanged JSON contract
    assert json.loads(captured.out) == [{**ROW, "name": "passing.passing_path"}]


def test_bench_table_keeps_the_passing_rows(fake_benchmarks, capsys):
    status = main(["bench", "--only", "failing,passing", "--quick"])
    captured = capsys.readouterr()
    assert status == 1
    assert "passing.passing_path" in captured.out and "failing." not in captured.out
    assert len(stderr_lines(captured)) == 1


def test_bench_exits_1_when_a_script_crashes_or_prints_no_rows(fake_benchmarks, capsys):
    status = main(["bench", "--only", "crashing,passing,silent", "--json"])
    captured = capsys.readouterr()
    assert status == 1
    (line,) = stderr_lines(captured)
    assert "benchmark crashing.py crashed (exit status 1): RuntimeError: boom" in line
    assert "benchmark silent.py exited 0 but printed no JSON list of rows" in line
    assert "Traceback" not in captured.err
    assert json.loads(captured.out) == [{**ROW, "name": "passing.passing_path"}]


def test_bench_exits_0_when_every_check_holds(fake_benchmarks, capsys):
    assert main(["bench", "--only", "passing", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [{**ROW, "name": "passing.passing_path"}]
    assert captured.err == ""


@pytest.fixture
def no_computation(monkeypatch):
    """Make any attempt to plan (let alone run) the reproduction an internal error."""

    def refuse(*args, **kwargs):
        raise AssertionError("reproduce went past the output-folder check")

    monkeypatch.setattr(seqmem.reproduce, "plan_runs", refuse)
    monkeypatch.setattr(seqmem.reproduce, "run_sweep", refuse)


def a_file_in_the_way(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "README.md").write_text("keep me\n")
    return str(tmp_path / "README.md" / "x"), "a file, not a directory, lies on its path"


def an_existing_file(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "README.md").write_text("keep me\n")
    return str(tmp_path / "README.md"), "it exists and is not a directory"


def under_proc(tmp_path: Path) -> tuple[str, str]:
    return "/proc/nope/report", "cannot create '/proc/nope'"


def proc_itself(tmp_path: Path) -> tuple[str, str]:
    return "/proc", "cannot create files in it"  # a directory even root cannot write into


def read_only_folder(tmp_path: Path) -> tuple[str, str]:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return str(folder / "report"), "Permission denied"


linux_only = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
not_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into 0o555 folders"
)


@pytest.mark.parametrize(
    "case",
    [
        a_file_in_the_way,
        an_existing_file,
        pytest.param(under_proc, marks=linux_only),
        pytest.param(proc_itself, marks=linux_only),
        pytest.param(read_only_folder, marks=not_root),
    ],
)
def test_reproduce_refuses_an_unusable_out_with_status_2(case, tmp_path, no_computation, capsys):
    out, reason = case(tmp_path)
    try:
        status = main(["reproduce", "--mode", "smoke", "--out", out])
    finally:
        for folder in tmp_path.iterdir():
            folder.chmod(0o755)
    captured = capsys.readouterr()
    assert status == 2, captured.err
    (line,) = stderr_lines(captured)
    assert line.startswith(f"seqmem: error: cannot use {out!r} as the output folder: ")
    assert reason in line
    assert "Traceback" not in captured.err and captured.out == ""
    if (tmp_path / "README.md").exists():
        assert (tmp_path / "README.md").read_text() == "keep me\n"


def test_reproduce_refuses_a_folder_it_cannot_write_into(tmp_path, no_computation, monkeypatch):
    """A read-only folder as root sees it nowhere but here: the write probe fails."""
    import tempfile

    def read_only(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", os.path.join(dir, ".probe"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    (tmp_path / "results.sqlite").write_bytes(b"stored")
    with pytest.raises(SeqmemValueError) as caught:
        seqmem.reproduce.reproduce(tmp_path, mode="smoke", progress=False)
    assert str(caught.value) == (
        f"cannot use {str(tmp_path)!r} as the output folder: "
        "cannot create files in it: Permission denied"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["results.sqlite"]
    assert (tmp_path / "results.sqlite").read_bytes() == b"stored"


def test_reproduce_refuses_an_empty_out(no_computation, capsys):
    assert main(["reproduce", "--mode", "smoke", "--out", ""]) == 2
    (line,) = stderr_lines(capsys.readouterr())
    assert line == "seqmem: error: the output folder must be a non-empty path; got ''"


def test_seqmem_executable_refuses_an_uncreatable_out(tmp_path):
    (tmp_path / "README.md").write_text("keep me\n")
    out = tmp_path / "README.md" / "report"
    result = subprocess.run(
        [sys.executable, "-m", "seqmem", "reproduce", "--mode", "smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(out) in result.stderr and "lies on its path" in result.stderr
    assert (tmp_path / "README.md").read_text() == "keep me\n"


def test_prepare_out_dir_creates_the_folder_and_leaves_what_is_stored(tmp_path):
    fresh = tmp_path / "a" / "b"
    assert prepare_out_dir(fresh) == fresh and fresh.is_dir()
    assert list(fresh.iterdir()) == []  # the write probe is gone
    stored = tmp_path / "report"
    stored.mkdir()
    (stored / "results.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(200))
    (stored / "report.md").write_text("# old report\n")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in stored.iterdir()}
    prepare_out_dir(stored)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in stored.iterdir()} == before
