"""A real PulseAudio server with a null sink (an audio output that plays into nothing), for
the tests that need one: the selftest, the status bar, the spoken results. Skipped where
pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.programs import needs_programs

NO_SERVER = {"PULSE_SERVER": "unix:/nonexistent/pulse.sock"}  # what a PC without an audio server looks like


@contextmanager
def pulse_null_sink(folder: Path) -> Iterator[dict[str, str]]:
    """Yields the environment that points PulseAudio clients at the server."""
    needs_programs("pulseaudio", "pactl")
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "pulse.sock"
    env = {"PULSE_SERVER": f"unix:{socket}"}
    server = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "-n", "--disable-shm=yes",
         "--load=module-null-sink sink_name=checkpoint_null",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1", f"--log-target=file:{folder}/pa.log"],
        env={**os.environ, "XDG_RUNTIME_DIR": str(folder), "HOME": str(folder)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 10
        while subprocess.run(["pactl", "list", "short", "sinks"], env={**os.environ, **env},
                             capture_output=True, timeout=5, check=False).returncode != 0:
            if server.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"pulseaudio did not start: {(folder / 'pa.log').read_text()[-500:]}")
            time.sleep(0.05)
        yield env
    finally:
        server.terminate()
        server.wait(10)
