"""A checkpoint's window never loads the reference authority: the real entry point, started
in kiosk mode in its own process with a camera, a serial scanner and a platform to sync
with, and left through SIGTERM, has imported neither `checkpoint_app.authority` nor the
demo nor the authority's libraries (Flask, SQLAlchemy, waitress) by the time it exits.
Only `--demo` brings them in (import-linter holds the static side: pyproject.toml)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tty
from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.core import settings as st
from checkpoint_app.core.trust.bundled import bundled_key_file

FORBIDDEN = ("checkpoint_app.authority", "checkpoint_app.demo", "flask", "sqlalchemy", "waitress", "werkzeug")
# Runs the installed entry point's function as `checkpoint-app` does, and on the way out
# (after the shutdown path) writes which forbidden packages are loaded.
DRIVER = """
import atexit, json, sys
out, forbidden = sys.argv[1], tuple(sys.argv[2].split(","))
def report():
    loaded = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in forbidden))
    with open(out, "w") as f:
        json.dump({"loaded": loaded, "qt": "PySide6.QtWidgets" in sys.modules}, f)
atexit.register(report)
from checkpoint_app.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (320, 240))
    for i in range(10):
        writer.write(np.full((240, 320, 3), 20 * i, np.uint8))
    writer.release()
    return path


def _wait_for_log(log: Path, text: str, app: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not (log.exists() and text in log.read_text(encoding="utf-8")):
        assert app.poll() is None, f"the app left early with {app.returncode}"
        assert time.monotonic() < deadline, f"timed out waiting for {text!r} in {log}"
        time.sleep(0.05)


def test_a_kiosk_start_loads_no_authority_flask_sqlalchemy_or_waitress(tmp_path: Path) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    settings = tmp_path / "settings.json"
    st.save(settings, st.Settings(
        kiosk=True, admin_pin=st.hash_pin("2580"), camera=str(_video(tmp_path / "camera.avi")),
        scanner_serial_port=os.ttyname(slave), server_url="http://127.0.0.1:9", token="t" * 32,
        root_keys=str(bundled_key_file())))
    log, out = tmp_path / "log" / "checkpoint.log", tmp_path / "modules.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(log.parent),
           "CHECKPOINT_CONFIG_DIR": str(tmp_path / "config"), "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", DRIVER, str(out), ",".join(FORBIDDEN),
               "--kiosk", "--config", str(settings), "--data-dir", str(tmp_path / "data")]
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_log(log, "start: ready", app)
        _wait_for_log(log, "serial_scanner port", app)  # start_hardware has run too
        # The sync thread starts from the store's `ready`, a queued signal: the event loop
        # runs, so SIGTERM finds the signal handler (it would kill the app before).
        _wait_for_log(log, "sync: ", app)
        os.kill(app.pid, signal.SIGTERM)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:  # reaped here, not by a later test's collection
            app.kill()
            app.wait()
        os.close(master)
        os.close(slave)
    report = json.loads(out.read_text())
    assert report["qt"], "the driver did not start the window"
    assert report["loaded"] == []
