#!/usr/bin/env bash
# Set up, lint, check the Qt-free contract, run the conformance vectors and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
bash scripts/lint.sh
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
