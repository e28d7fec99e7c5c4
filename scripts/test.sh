#!/usr/bin/env bash
# Set up .venv and run the lint and the default test suite (slow tests and benchmarks skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# One BLAS thread: the suite is many small dense problems, which threads only slow down.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
