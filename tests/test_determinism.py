"""The same reproduction gives bitwise the same claim measurements wherever it runs.

A sweep's runs land on this process (whose BLAS may use several threads) or on spawned
single-threaded workers, so a metric must not depend on the thread count: a threaded BLAS
dot adds in an order that does. The default test checks that mechanism in two fresh
processes; the slow tests rerun whole plans with one worker, two, Dask, and twice in fresh
folders (``pytest -m slow``).
"""

import json
import os
import subprocess
import sys

import pytest

from seqmem.reproduce import reproduce

LORENZ = (
    "from seqmem.experiments.lorenz import lorenz_run;"
    "print(repr(lorenz_run(2, steps=1).linear_response_unexplained))"
)


def _in_fresh_process(code: str, threads: int) -> str:
    environment = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": str(threads),
        "OMP_NUM_THREADS": str(threads),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_lorenz_metric_does_not_depend_on_blas_threads():
    # the metric that once differed in its last digits between --workers 1 and 2
    # (0.0936780167708447 against 0.09367801677084459): its sums are now correctly rounded
    assert _in_fresh_process(LORENZ, 1) == _in_fresh_process(LORENZ, 2)


def _measurements(out, **options) -> dict[str, str]:
    result = reproduce(out, progress=False, **options)
    return {claim.id: repr(claim.measured) for claim in result.claims}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["smoke", "quick"])
def test_reproduction_is_bitwise_deterministic(tmp_path, mode):
    reference = _measurements(tmp_path / "one", mode=mode, workers=1)
    assert reference == _measurements(tmp_path / "again", mode=mode, workers=1)
    assert reference == _measurements(tmp_path / "two", mode=mode, workers=2)
    assert reference == _measurements(tmp_path / "dask", mode=mode, workers=2, executor="dask")
    json.dumps(reference)  # plain strings: what a report would compare
