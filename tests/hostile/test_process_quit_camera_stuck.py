"""SIGTERM while the camera is opening a network stream whose server takes the connection
and never answers (an IP camera rebooting, a stream URL behind a dead proxy). OpenCV's
open cannot be interrupted from another thread; it gives up after the stream timeout
(hardware.sources.STREAM_TIMEOUT_MS, 5 s). Before, the shutdown waited for it: the
process took 3-5 s to go. The camera holds no records, so the shutdown now gives it a
short bound, and a process whose camera is stuck in the driver leaves without waiting for
that thread (app.run's os._exit path), after the store has closed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from tests.support.hostile_http import HostileServer, silent

SCRIPT = """
import argparse, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_sigterm_while_the_camera_opens_a_silent_stream_ends_within_2_s(tmp_path: Path, scheme: str) -> None:
    with HostileServer() as srv:
        srv.serve("", silent())
        port = srv.url.rsplit(":", 1)[1]
        config = tmp_path / "site.json"
        st.save(config, st.Settings(camera=f"{scheme}://127.0.0.1:{port}/live.mjpg", language="en"))
        log = tmp_path / "log" / "checkpoint.log"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(log.parent),
               "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            until = time.monotonic() + 60
            while not (srv.requests and log.exists() and "starting (pid" in log.read_text()):
                assert proc.poll() is None and time.monotonic() < until, "the camera never asked the stream"
                time.sleep(0.05)
            time.sleep(0.5)  # inside the open, which waits for an answer
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
            gone = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    text = log.read_text()
    print(f"SIGTERM while the camera opens a silent {scheme} stream: gone after {gone:.2f} s")
    assert proc.returncode == 0, err[-3000:]
    assert "shutdown complete" in text and "Traceback" not in err
    assert gone < 2.0, text[-3000:]
