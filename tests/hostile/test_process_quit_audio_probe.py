"""SIGTERM while the tasks thread asks a wedged PulseAudio/PipeWire server for its outputs
(a unix socket that takes the connection and never answers: pactl waits 30 s for it, the
probe gives up after 3 s). The tasks thread runs one-shot jobs that hold no records (the
PIN's hash, this probe, the screen saver question), so the shutdown does not wait for one
stuck in a child process beyond a short bound: before, the process took up to 3 s to go."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from tests.support.hung_bus import HungBus

SCRIPT = """
import argparse, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


@pytest.mark.skipif(shutil.which("pactl") is None or shutil.which("paplay") is None,
                    reason="the probe asks PulseAudio only where its client is installed")
def test_sigterm_while_the_audio_probe_waits_on_a_wedged_sound_server(tmp_path: Path) -> None:
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", language="en"))
    log = tmp_path / "log" / "checkpoint.log"
    with HungBus(tmp_path / "pulse") as pulse:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PULSE_SERVER": f"unix:{pulse.path}",
               "CHECKPOINT_LOG_DIR": str(log.parent), "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            until = time.monotonic() + 60
            while not (pulse.accepted and log.exists() and "starting (pid" in log.read_text()):
                assert proc.poll() is None and time.monotonic() < until, "the probe never asked the server"
                time.sleep(0.02)
            time.sleep(0.3)  # inside the probe, which waits for an answer
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
            gone = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    text = log.read_text()
    print(f"SIGTERM while the audio probe waits on a wedged sound server: gone after {gone:.2f} s")
    assert proc.returncode == 0, err[-3000:]
    assert "shutdown complete" in text and "Traceback" not in err
    assert gone < 2.0, text[-3000:]
