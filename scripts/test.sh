#!/usr/bin/env bash
# Set up, lint (scripts/lint.sh: ruff, the import contracts, mypy --strict on the whole package),
# run the conformance vectors and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
bash scripts/lint.sh
# One retry for a failed test: some tests time real X servers, PulseAudio, ptys and child
# processes on a loaded 2-core machine. A retried test is listed in the summary ("RERUN",
# -rR), so a flake is seen and fixed; a real failure fails twice and stays red.
.venv/bin/python -m pytest -q -p no:cacheprovider --reruns 1 --reruns-delay 1 "$@"
