"""The benchmarks' result rows (``benchmarks/harness.py``) and the tiers of ``seqmem bench``.

Which way a ratio points: a "speedup" row's ratio is a competitor's seconds over seqmem's
(> 1: seqmem wins), an "x_floor" row's is seqmem's seconds over a floor's (≥ 1).
"""

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

from seqmem.bench import BENCHMARKS, TIERS, benchmark_folder, run_benchmarks
from seqmem.errors import SeqmemValueError

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}


def load_harness():
    spec = importlib.util.spec_from_file_location("harness", ROOT / "benchmarks" / "harness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("harness", module)
    spec.loader.exec_module(module)
    return module


harness = load_harness()
Row = harness.Row


def test_a_slower_competitor_is_a_speedup_above_one_whichever_side_is_timed():
    # seqmem timed, the competitor (19× slower) its baseline
    ours = Row("fft_path", 0.5, "lfilter", 9.5, "speedup")
    # the competitor timed, seqmem its baseline: the same ratio, pointing the same way
    theirs = Row("lfilter", 9.5, "fft_path", 0.5, "speedup", seqmem="baseline")
    for row in (ours, theirs):
        assert row.kind == "speedup"
        assert row.ratio == pytest.approx(19.0)
        assert row.ratio > 1
    # a faster competitor is a loss: ratio < 1
    assert Row("scan_path", 2.0, "fft_path", 1.0, "speedup").ratio == pytest.approx(0.5)


def test_x_floor_ratio_is_seconds_over_the_floor():
    row = Row("fft_path", 0.3, "fft_floor", 0.1, "x_floor")
    assert row.ratio == pytest.approx(row.seconds / row.baseline_seconds) == pytest.approx(3.0)
    assert row.to_json()["kind"] == "x_floor"


def test_json_row_has_the_six_keys_and_no_kind_without_a_baseline():
    plain = Row("matmul", 0.02)
    assert plain.to_json() == {
        "name": "matmul",
        "seconds": 0.02,
        "baseline": None,
        "baseline_seconds": None,
        "ratio": None,
        "kind": None,
    }
    assert set(Row("a", 1.0, "b", 2.0, "speedup").to_json()) == KEYS


@pytest.mark.parametrize(
    "arguments",
    [
        ("a", 1.0, "b", 2.0),  # a baseline needs a kind
        ("a", 1.0, None, None, "speedup"),  # a kind needs a baseline
        ("a", 1.0, "b", None, "speedup"),  # a baseline needs its seconds
        ("a", 1.0, "b", 2.0, "ratio"),  # unknown kind
        ("a", 1.0, "b", 2.0, "x_floor", "baseline"),  # the floor is never seqmem's
        ("a", 1.0, "b", 2.0, "speedup", "neither"),
    ],
)
def test_rows_that_could_be_read_either_way_are_refused(arguments):
    with pytest.raises(ValueError):
        Row(*arguments)


def test_from_times_looks_both_times_up():
    times = {"numpy_loop": 40.0, "gd": 2.0}
    row = Row.from_times(times, "numpy_loop", "gd", "speedup", seqmem="baseline")
    assert (row.seconds, row.baseline_seconds, row.ratio) == (40.0, 2.0, 20.0)
    assert Row.from_times(times, "gd") == Row("gd", 2.0)


def test_table_has_a_kind_column_and_aims():
    rows = [
        Row("lfilter", 9.5, "fft_path", 0.5, "speedup", seqmem="baseline"),
        Row("fft_path", 0.4, "fft_floor", 0.1, "x_floor"),
        Row("matmul", 0.02),
    ]
    aims = {("lfilter", "fft_path"): ("≥", 10.0), ("fft_path", "fft_floor"): ("≤", 3.0)}
    lines = harness.format_table(rows, {"aim": harness.aim_column(aims)}).splitlines()
    assert lines[0].split() == ["name", "seconds", "baseline", "ratio", "kind", "aim"]
    assert lines[2].split() == ["lfilter", "9.5", "fft_path", "19", "speedup", "≥", "10", "(met)"]
    assert lines[3].split() == [
        "fft_path",
        "0.4",
        "fft_floor",
        "4",
        "x_floor",
        "≤",
        "3",
        "(NOT",
        "met)",
    ]
    assert lines[4].split() == ["matmul", "0.02"]


def test_every_benchmark_has_the_three_tiers_and_a_script():
    assert TIERS == ("quick", "default", "full")
    for name, tiers in BENCHMARKS.items():
        assert set(tiers) == set(TIERS), name
        assert all(isinstance(flag, str) for flags in tiers.values() for flag in flags)
        assert tiers["full"] == [], name  # full: the script's own defaults
        assert (benchmark_folder() / f"{name}.py").is_file(), name
    assert BENCHMARKS["training"] == {"quick": ["--quick"], "default": [], "full": []}


ECHO = """
    import json, sys
    flags = " ".join(sys.argv[1:-1])
    print(json.dumps([{"name": flags or "none", "seconds": 1.0, "baseline": None,
                       "baseline_seconds": None, "ratio": None, "kind": None}]))
"""


@pytest.fixture
def echo_folder(tmp_path):
    (tmp_path / "echo.py").write_text(textwrap.dedent(ECHO))
    (tmp_path / "old.py").write_text(textwrap.dedent(ECHO))
    return tmp_path


TABLE = {
    "echo": {"quick": ["--q"], "default": ["--d"], "full": ["--f"]},
    "old": {"quick": ["--q"], "full": ["--f"]},  # a table from before the default tier
}


def ran(folder, names, **options) -> list[str]:
    rows = run_benchmarks(names, folder=folder, benchmarks=TABLE, **options)
    assert all(set(row) == KEYS for row in rows)
    return [row["name"] for row in rows]


def test_run_benchmarks_picks_the_flags_of_a_tier(echo_folder):
    assert ran(echo_folder, ["echo"]) == ["echo.--d"]
    assert ran(echo_folder, ["echo"], tier="quick") == ["echo.--q"]
    assert ran(echo_folder, ["echo"], tier="full") == ["echo.--f"]
    assert ran(echo_folder, ["old"]) == ["old.--f"]
    with pytest.raises(SeqmemValueError, match="unknown benchmark tier 'slow'"):
        ran(echo_folder, ["echo"], tier="slow")


def test_rows_pass_through_with_their_kind(echo_folder):
    (echo_folder / "kinds.py").write_text(
        "import json\n"
        + f"print(json.dumps([{json.dumps(Row('a', 1.0, 'b', 4.0, 'speedup').to_json())}]))\n"
    )
    rows = run_benchmarks(["kinds"], folder=echo_folder, benchmarks={"kinds": TABLE["echo"]})
    assert rows == [{**Row("a", 1.0, "b", 4.0, "speedup").to_json(), "name": "kinds.a"}]
    assert rows[0]["ratio"] == 4.0
