"""SIGTERM (systemd stopping the unit) ends the event loop through the app's own path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

APP = """
import logging, sys
from PySide6.QtCore import QCoreApplication, QTimer
from checkpoint_app.workers.termination import SignalQuitter
logging.basicConfig(level=logging.INFO, format="%(message)s")
app = QCoreApplication(sys.argv)
if "--quitter" in sys.argv:
    quitter = SignalQuitter(lambda: (print("clean shutdown", flush=True), app.exit(0)))
QTimer.singleShot(0, lambda: print("ready", flush=True))
sys.exit(app.exec())
"""


@pytest.mark.parametrize(("args", "code"), [(["--quitter"], 0), ([], -signal.SIGTERM)])
def test_sigterm(args: list[str], code: int) -> None:
    app = subprocess.Popen([sys.executable, "-c", APP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert app.stdout is not None and app.stdout.readline() == "ready\n"
    app.send_signal(signal.SIGTERM)
    out, err = app.communicate(timeout=30)
    assert app.returncode == code  # without the quitter Python dies at once, nothing logged
    if code == 0:
        assert out == "clean shutdown\n" and "received SIGTERM: leaving" in err


def test_close_gives_the_old_handlers_back(qapp) -> None:
    from checkpoint_app.workers.termination import SignalQuitter

    before = signal.getsignal(signal.SIGTERM)
    quitter = SignalQuitter(lambda: None)
    assert signal.getsignal(signal.SIGTERM) is not before
    quitter.close()
    assert signal.getsignal(signal.SIGTERM) is before
