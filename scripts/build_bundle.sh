#!/usr/bin/env bash
# Build the one-folder bundle from build.spec, then prove it works where no source tree
# or virtualenv can help it: run its own selftest and start its window (--demo) offscreen,
# in a bare environment with a throwaway HOME. Prints size, file count, build time and
# start-up time (docs/benchmarks.md).
#
#   bash scripts/build_bundle.sh            # -> dist/checkpoint-app/checkpoint-app
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
# Build-time only, so not in pyproject's dependencies.
.venv/bin/python -m pip install -q "pyinstaller>=6.10"

t0=$(date +%s.%N)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller build.spec
t1=$(date +%s.%N)

bundle=dist/checkpoint-app
exe=$bundle/checkpoint-app
home=$(mktemp -d)
trap 'rm -rf "$home"; [ -z "${PULSE_PID:-}" ] || kill "$PULSE_PID" 2>/dev/null || true' EXIT
# The selftest fails without an audio output; a build host without sound gets a null sink.
if [ -z "${PULSE_SERVER:-}" ] && ! grep -q "]:" /proc/asound/cards 2>/dev/null && command -v pulseaudio >/dev/null; then
  eval "$(bash scripts/null_sink.sh)"
fi
bare=(env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen ${PULSE_SERVER:+PULSE_SERVER=$PULSE_SERVER})

"${bare[@]}" "$exe" selftest

# The window too: the demo (built-in authority, demo video as camera) must reach "ready".
"${bare[@]}" "$exe" --demo >"$home/demo.out" 2>&1 &
demo=$!
for _ in $(seq 1 600); do
  grep -q "start: ready" "$home/demo.out" 2>/dev/null && break
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.1
done
kill "$demo" 2>/dev/null || true
wait "$demo" 2>/dev/null || true
grep -q "start: ready" "$home/demo.out" || { echo "the bundle's window did not start:"; tail -20 "$home/demo.out"; exit 1; }
echo "the bundle's window started (--demo, offscreen)"
s0=$(date +%s.%N)
"${bare[@]}" "$exe" --help >/dev/null
s1=$(date +%s.%N)

size_mb=$(du -sm "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
python3 - "$t0" "$t1" "$s0" "$s1" "$size_mb" "$files" <<'PY'
import sys
t0, t1, s0, s1 = map(float, sys.argv[1:5])
print(f"bundle dist/checkpoint-app: {sys.argv[5]} MB, {sys.argv[6]} files, "
      f"built in {t1 - t0:.0f} s, `--help` starts in {s1 - s0:.2f} s, selftest passed")
PY
