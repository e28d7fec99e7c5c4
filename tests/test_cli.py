"""The command line: JSON contract, exit codes, one-line errors without tracebacks."""

import json
import subprocess
import sys

import pytest

import seqmem
from seqmem.kernels import FAMILIES


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "seqmem", *args], capture_output=True, text=True, timeout=300
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"seqmem {seqmem.__version__}"


def test_kernels_json_contract():
    result = run("kernels", "--json")
    assert result.returncode == 0
    families = json.loads(result.stdout)
    assert [f["name"] for f in families] == list(FAMILIES)
    for family in families:
        assert set(family) == {"name", "params", "description"}
        assert isinstance(family["params"], dict) and family["description"]
    powerlaw = next(f for f in families if f["name"] == "powerlaw")
    assert powerlaw["params"] == {"omega": None, "tau": 1.0}


def test_demo_json_shows_power_law_fits_lag_behind():
    result = run(
        "demo", "--kernels", "gammabump(k=1)", "powerlaw(omega=0.5)", "--max-width", "3", "--json"
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["widths"] == [1, 2, 3]
    short, long = output["relative_l2_error"].values()
    assert (
        short[-1] < 1e-6 < long[-1]
    )  # t e^{−t} is exact with 2 nearby rates; the power law is not


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["demo", "--kernels", "powerlaw(omega=-1)"], "'omega' of powerlaw() must be > 0"),
        (["demo", "--kernels", "exp(rate=1"], "malformed kernel spec"),
        (["demo", "--kernels", "nope(x=1)"], "unknown kernel 'nope'"),
        (["demo", "--max-width", "0"], "'--max-width' of seqmem demo must be an integer ≥ 1"),
        (["demo", "--max-width", "two"], "invalid int value"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, fragment):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr
