#!/usr/bin/env bash
# Make .venv with the app and its test tools. Needs Python >= 3.11; on Debian also the
# packages in .ci/apt-packages.txt (run as root, this script installs them itself).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! dpkg -s $(cat .ci/apt-packages.txt) >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $(cat .ci/apt-packages.txt) >/dev/null
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# The bent-paper reader's loops are compiled (numba) once per installation, about 10 s;
# done here so that neither the first frame of the app nor the first test waits for it.
.venv/bin/python -c "from checkpoint_app.core.scanning.phase_kernels import warm; warm()"
