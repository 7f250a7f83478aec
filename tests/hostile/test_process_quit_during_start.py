"""SIGTERM (systemd stopping the unit, a shutdown) or Ctrl+C while the window is still
starting -- the store opening in its thread, the first sync not yet begun. Before, the
signal handler was installed only after the window was up: a signal in between killed the
process on the spot (exit -15: no shutdown path, no clean exit in the run marker, so the
next start reported a crash). Now the handler is in place before the first step of the
start, and the signal is acted on as soon as the event loop runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st

# The real entry of the window (app.run), with the signal sent by the process to itself at
# the first step of the start, `times` times: that is when a stop request meets a slow start.
SCRIPT = """
import argparse, os, signal, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
sig, times = signal.Signals[sys.argv[3]], int(sys.argv[4])
real_start = app.CheckpointApp.start
def start(self):
    for _ in range(times):
        os.kill(os.getpid(), sig)
    return real_start(self)
app.CheckpointApp.start = start
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


@pytest.mark.parametrize(("sig", "times"), [("SIGTERM", 1), ("SIGTERM", 2), ("SIGINT", 1)])
def test_a_stop_signal_during_start_takes_the_shutdown_path(tmp_path: Path, sig: str, times: int) -> None:
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", language="en"))
    log = tmp_path / "log" / "checkpoint.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(log.parent),
           "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
    sent = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data"), sig, str(times)],
                          env=env, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - sent
    text = log.read_text() if log.exists() else ""
    print(f"{sig} x{times} during start: exit {done.returncode} after {took:.2f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"received {sig}: leaving" in text and "shutdown complete" in text, text[-3000:]
    assert "did not stop" not in text and "Traceback" not in done.stderr
    # the run marker saw a clean exit: the next start does not report a crash
    again = subprocess.run([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data"), sig, "1"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0
    assert "previous run: clean exit" in log.read_text(), log.read_text()[-2000:]
