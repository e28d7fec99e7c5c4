#!/usr/bin/env bash
# Set up .venv and run the main job: the quick reproduction of the paper, written to
# seqmem-report/ (report.html, report.md, summary.json, figures). Extra flags go to
# `seqmem reproduce` (e.g. --mode full, --out DIR, --workers N).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -eq 0 ]; then
    set -- --quick
fi
OPENBLAS_NUM_THREADS=1 .venv/bin/seqmem reproduce --out seqmem-report "$@"
