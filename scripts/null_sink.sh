#!/usr/bin/env bash
# Start a private PulseAudio server whose only output is a null sink (plays into nothing),
# for machines without sound hardware (CI, build hosts): the selftest fails without an
# audio output, as it should on an entrance PC. Prints the lines to eval:
#
#   eval "$(bash scripts/null_sink.sh)"     # -> PULSE_SERVER=...; PULSE_PID=...
#   ...; kill "$PULSE_PID"
set -euo pipefail
dir=$(mktemp -d)
XDG_RUNTIME_DIR="$dir" HOME="$dir" pulseaudio --daemonize=no --exit-idle-time=-1 --system=false -n \
  --disable-shm=yes --load="module-null-sink sink_name=null_output" \
  --load="module-native-protocol-unix socket=$dir/pulse.sock auth-anonymous=1" \
  --log-target="file:$dir/pulseaudio.log" </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  PULSE_SERVER="unix:$dir/pulse.sock" pactl list short sinks >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "pulseaudio did not start:" >&2; tail -5 "$dir/pulseaudio.log" >&2; exit 1; }
  sleep 0.1
done
echo "export PULSE_SERVER=unix:$dir/pulse.sock PULSE_PID=$pid"
