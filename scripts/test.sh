#!/usr/bin/env bash
# Set up .venv and run the lint and the default test suite (slow tests and benchmarks skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
