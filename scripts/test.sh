#!/usr/bin/env bash
# Set up, lint (scripts/lint.sh: ruff, the import contracts, mypy --strict on the whole package),
# run the conformance vectors and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
bash scripts/lint.sh
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
