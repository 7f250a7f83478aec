"""`checkpoint-app` with no command: run(args) builds, shows and shuts down the window.

In its own process: once a QApplication's exec() has returned, Qt starts no new thread
event loops, so run() would spoil the shared test QApplication."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checkpoint_app.core import settings as st
from checkpoint_app.core.store.store import Store

SCRIPT = """
import argparse, os, signal, sys
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
if sys.argv[3] == "quit":
    QTimer.singleShot(1500, QCoreApplication.quit)
else:  # as systemd stops the unit
    QTimer.singleShot(1500, lambda: os.kill(os.getpid(), signal.SIGTERM))
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


def _run(tmp_path: Path, how: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", checkpoint_id="TY-XD-0009", language="en"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data"), how], env=env,
                          capture_output=True, text=True, timeout=60)


def test_sigterm_leaves_through_the_shutdown_path(tmp_path: Path) -> None:
    done = _run(tmp_path, "sigterm")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "received SIGTERM" in done.stderr and "shutdown complete" in done.stderr


def test_run_with_a_config_file(tmp_path: Path) -> None:
    done = _run(tmp_path, "quit")
    config = tmp_path / "site.json"
    assert done.returncode == 0, done.stderr[-3000:]
    assert "shutdown complete" in done.stderr  # the one shutdown path ran
    assert st.load(config).checkpoint_id == "TY-XD-0009"  # the --config file is the settings file
    with Store.open(tmp_path / "data", check=False) as store:
        assert store.pending_count() == 0
