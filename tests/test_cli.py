"""The command line: JSON contract, exit codes, one-line errors without tracebacks."""

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass

import pytest

import seqmem
from seqmem.cli import main
from seqmem.kernels import FAMILIES


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Result:
    """``seqmem ARGS`` in this process: the executable is ``sys.exit(main())``
    (``test_version`` runs it as its own process), so this is the same code path without a
    1.5 s interpreter start per case."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors and --version
            status = exit_.code if isinstance(exit_.code, int) else 1
    return Result(status, out.getvalue(), err.getvalue())


def test_version():
    result = subprocess.run(
        [sys.executable, "-m", "seqmem", "--version"], capture_output=True, text=True, timeout=60
    )
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


def test_approx_json_contract_and_soundness():
    result = run("approx", "powerlaw(omega=1)", "--widths", "1,2,4", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) >= {
        "kernel",
        "widths",
        "l1_error",
        "l2_error",
        "hsv_floor",
        "slowest_rate",
        "rate_fit",
    }  # the contract's keys, and the accuracy of the errors:
    assert {"l1_tolerance", "l2_tolerance", "method", "message"} <= set(output)
    assert output["kernel"] == "powerlaw(omega=1)" and output["widths"] == [1, 2, 4]
    for l1, tolerance, floor in zip(
        output["l1_error"], output["l1_tolerance"], output["hsv_floor"], strict=True
    ):
        assert l1 >= floor > 0
        assert 0 <= tolerance <= 1e-8 * l1  # ERROR_RTOL: these errors are far above rounding
    assert output["message"] == "" and result.stderr == ""
    assert output["slowest_rate"][0] > output["slowest_rate"][-1]
    assert set(output["rate_fit"]) == {"kind", "exponent", "r2"}
    assert output["rate_fit"]["kind"] in {"exponential", "algebraic"}


def test_approx_balanced_errors_across_five_decades():
    # rates 0.001, 10, 100: the width-2 truncation has rates 0.00100003 and 13.278, and an
    # independent adaptive quadrature split at its sign changes and every decade gives L¹
    # 0.0373213 and L² 0.0442909 (6 digits: within half a unit of the last one)
    spec = "exp(rate=0.001)+exp(rate=10)+exp(rate=100)"
    result = run("approx", spec, "--widths", "2", "--method", "balanced", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert abs(output["l1_error"][0] - 0.0373213) <= 0.5e-7
    assert abs(output["l2_error"][0] - 0.0442909) <= 0.5e-7
    assert output["l1_tolerance"][0] <= 1e-8 * output["l1_error"][0]


def test_approx_says_on_stderr_what_it_could_not_compute():
    # a bump and a 1000-unit memory: no Hankel route resolves both on one grid of ≤ 2²⁰
    # steps, so the floor is missing and one stderr line says why; the fits still come
    result = run("approx", "gammabump(k=2)+exp(rate=0.001)", "--widths", "1", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["hsv_floor"] == [None] and "no Hankel floor" in output["message"]
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("seqmem approx: ")


@pytest.mark.parametrize("method", ["balanced", "jackson"])
def test_approx_other_methods(method):
    result = run(
        "approx", "exp(rate=1)+exp(rate=2)", "--widths", "1,2,3", "--method", method, "--json"
    )
    assert result.returncode == 0, result.stderr
    errors = json.loads(result.stdout)["l1_error"]
    assert errors[1] < 1e-6  # both constructions are exact at width 2 (jackson: rates 1, 2)


def test_hsv_json_matches_closed_form():
    result = run("hsv", "exp(rate=1)", "--count", "3", "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["kernel"] == "exp(rate=1)"
    assert abs(output["hsv"][0] - 0.5) < 1e-12  # σ₁ of e^{−t} is 1/(2·1)
    assert output["hsv"][1:] == [0.0, 0.0]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["approx", "powerlaw(omega=0)"], "'omega' of powerlaw() must be > 0"),
        (["approx", "exp(rate=1)", "--widths", "0,2"], "--widths must be integers ≥ 1"),
        (["approx", "exp(rate=1)", "--widths", "a,b"], "comma-separated list of integers"),
        (["approx", "exp(rate=1)", "--method", "magic"], "invalid choice"),
        (["approx", "powerlaw(omega=1)", "--method", "jackson"], "Jackson construction needs"),
        (
            ["approx", "powerlaw(omega=1)", "--method", "jackson", "--beta", "0.5"],
            "curse of memory",
        ),
        (["hsv", "exp(rate=1)", "--count", "-3"], "'--count' of seqmem hsv must be an integer ≥ 1"),
        (["hsv", "exp(rate=1"], "malformed kernel spec"),
    ],
)
def test_approx_and_hsv_bad_input(args, fragment):
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_train_json_contract_and_plateau():
    result = run(
        "train",
        "exp(rate=3)+gammabump(k=4)",
        "--width",
        "4",
        "--optimizer",
        "flow",
        "--steps",
        "1e4",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"steps", "loss", "final_loss", "plateaus", "seconds"}
    assert len(output["steps"]) == len(output["loss"])
    # the reference target: one plateau at ‖ρ₀‖² = 1 (unit-energy gamma bump), then escape
    (plateau,) = output["plateaus"]
    assert set(plateau) == {"start", "end", "level"}
    assert plateau["level"] == pytest.approx(1.0, abs=0.01)
    assert output["final_loss"] < 0.05


def test_plateau_json_contract_grows_with_memory():
    result = run(
        "plateau", "exp(rate=3)+gammabump(k={t0})", "--memory", "3,5,7", "--json", "--quiet"
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert {"memory", "plateau_length", "plateau_level", "escape_rates", "fit"} <= set(output)
    assert set(output["fit"]) == {"slope", "intercept", "r2"}
    lengths = output["plateau_length"]
    assert lengths == sorted(lengths) and lengths[-1] > 50 * lengths[0]
    assert output["fit"]["slope"] > 1.0 and output["fit"]["r2"] > 0.95


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["plateau", "exp(rate=3)+gammabump(k=5)"], "no {t0} placeholder"),
        (["plateau", "gammabump(k={t0})", "--memory", "3,x"], "--memory must be"),
        (
            ["plateau", "gammabump(k={t0})", "--memory", "0"],
            "'memory' of plateau_sweep must be > 0",
        ),
        (["plateau", "gammabump(k={t0})", "--init-rates", "3"], "--init-rates needs 2 numbers"),
        (["plateau", "gammabump(k={t0})", "--escape", "1.5"], "'escape' of plateau_sweep"),
        (["train", "exp(rate=1)", "--lr", "0"], "'learning_rate' of train must be > 0"),
        (["train", "exp(rate=1)", "--width", "-2"], "'width' of train must be an integer ≥ 1"),
        (["train", "exp(rate=1)", "--steps", "2.5"], "'steps' of train must be an integer ≥ 1"),
        (["train", "exp(rate=1)", "--model", "tanh"], "use loss='sampled'"),
        (
            ["train", "exp(rate=1)", "--lr", "1e4", "--steps", "100"],
            "diverged (NaN or inf) at step",
        ),
    ],
)
def test_train_and_plateau_bad_input(args, fragment):
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


@pytest.fixture
def record(tmp_path):
    """An NPZ record of 40 sequences through ρ = e^{−t} (Δ = 0.1), and a CSV of one column pair."""
    import numpy as np

    from seqmem.rnn import LinearRNN

    x = np.random.default_rng(0).standard_normal((40, 100))
    y = LinearRNN.from_rates([1.0], [1.0]).outputs(x, 0.1)
    np.savez(tmp_path / "data.npz", u=x, y=y)
    lines = "\n".join(f"{a!r},{b!r}" for a, b in zip(x[0].tolist(), y[0].tolist(), strict=True))
    (tmp_path / "data.csv").write_text("u,y\n" + lines + "\n")
    return tmp_path


def test_fit_json_contract_and_model_file(record):
    from seqmem.model_file import load_model

    out = record / "model.npz"
    result = run("fit", str(record / "data.npz"), "--input", "u", "--output", "y", "--dt", "0.1",
                 "--width", "2", "--epochs", "30", "--batch", "4", "--lr", "0.05",
                 "--out", str(out), "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    fit = json.loads(result.stdout)
    assert {"width", "train_loss", "validation_loss", "epochs", "seconds", "model"} <= set(fit)
    assert fit["width"] == 2 and fit["epochs"] == 30 and fit["model"] == str(out)
    assert fit["train_loss"] < 1e-6 and fit["validation_loss"] < 1e-6  # ρ is one mode
    model, info = load_model(out)
    assert info["dt"] == 0.1 and abs(model.kernel(0.0) - 1.0) < 1e-2


def test_fit_reads_a_csv_record_cut_into_windows(record):
    result = run("fit", str(record / "data.csv"), "--input", "u", "--output", "y", "--dt", "0.1",
                 "--width", "1", "--epochs", "2", "--length", "20", "--model", "tanh",
                 "--out", str(record / "m.npz"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "on 5 sequences (0 held out)" in result.stdout  # 100 samples, 5 windows, too few


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"--output": "v"}, "has no array 'v'; its arrays: u, y"),
        ({"DATA": "missing.npz"}, "no data file"),
        ({"--width": "-1"}, "'width' of train_on_data must be an integer ≥ 1"),
        ({"--dt": "0"}, "'dt' of train_on_data must be > 0"),
        ({"--validation": "1.5"}, "'validation' of train_on_data must be a fraction"),
        ({"--out": "no/such/folder/m.npz"}, "cannot write the model file"),
    ],
)
def test_fit_bad_input(record, change, fragment):
    options = {"DATA": "data.npz", "--input": "u", "--output": "y", "--dt": "0.1",
               "--width": "2", "--epochs": "1", "--out": "m.npz"} | change  # fmt: skip
    options["--out"] = str(record / options["--out"])
    arguments = [str(record / options.pop("DATA"))]
    for flag, value in options.items():
        arguments += [flag, value]
    result = run("fit", *arguments)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_bench_unknown_benchmark():
    result = run("bench", "--only", "nope")
    assert result.returncode == 2 and "unknown benchmark 'nope'" in result.stderr


@pytest.mark.benchmark
def test_bench_json_contract():
    result = run("bench", "--only", "dynamics", "--quick", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(
        set(row) == {"name", "seconds", "baseline", "baseline_seconds", "ratio", "kind"}
        for row in rows
    )
    assert all(row["name"].startswith("dynamics.") for row in rows)
