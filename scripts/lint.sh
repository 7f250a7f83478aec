#!/usr/bin/env bash
# The static checks: ruff, the import contracts (lint-imports), mypy. All of them, or one by
# name (ruff | imports | types): scripts/test.sh runs them all, the pre-commit hooks one each.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case $what in ruff | all) .venv/bin/ruff check checkpoint_app tests bench ;; esac
case $what in imports | all) .venv/bin/lint-imports ;; esac
case $what in types | all) .venv/bin/mypy --strict checkpoint_app ;; esac
case $what in ruff | imports | types | all) ;; *) echo "usage: scripts/lint.sh [ruff|imports|types]" >&2; exit 2 ;; esac
