"""A kiosk started in a session whose D-Bus takes the connection and never answers (a
wedged dbus-daemon, a stale socket): asking it to hold off the screen saver must not hold
the window. Before, the GUI thread asked through QtDBus, whose connect waits for the
authentication without any timeout: the kiosk never came up (nothing after "start: ready"
for minutes), and neither SIGTERM nor anything else could end it. Now the question goes
through the tasks thread (workers/tasks.py), bounded, and the shutdown cuts it short."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from tests.support.hung_bus import HungBus

SCRIPT = """
import argparse, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=True, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*?(start: ready|kiosk mode on)", re.M)


def _stamps(log: str) -> dict[str, datetime]:
    return {m[2]: datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f") for m in _STAMP.finditer(log)}


@pytest.mark.parametrize("say_ok", [False, True], ids=["silent", "silent_after_auth"])
def test_a_kiosk_start_is_not_held_by_a_session_bus_that_never_answers(tmp_path: Path, say_ok: bool) -> None:
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", kiosk=True, admin_pin=st.hash_pin("2580"), language="en"))
    log = tmp_path / "log" / "checkpoint.log"
    with HungBus(tmp_path / "bus", say_ok=say_ok) as bus:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DBUS_SESSION_BUS_ADDRESS": bus.address,
               "CHECKPOINT_LOG_DIR": str(log.parent), "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "data")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            until = time.monotonic() + 60
            while not (log.exists() and "kiosk mode on" in log.read_text()):
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                assert time.monotonic() < until, "the kiosk never came up:\n" + log.read_text()[-3000:]
                time.sleep(0.05)
            while bus.accepted == 0:  # the question may wait behind the audio probe in the tasks thread
                assert proc.poll() is None and time.monotonic() < until, "the bus was never asked"
                time.sleep(0.02)
            assert bus.accepted == 1  # it did ask the bus, and got nothing
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # while the question is still unanswered
            _, err = proc.communicate(timeout=30)
            gone = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    text = log.read_text()
    stamps = _stamps(text)
    held = (stamps["kiosk mode on"] - stamps["start: ready"]).total_seconds()
    print(f"D-Bus {'silent after auth' if say_ok else 'silent'}: kiosk up {held:.3f} s after ready, "
          f"gone {gone:.2f} s after SIGTERM")
    assert held < 0.5, text[-3000:]
    assert proc.returncode == 0, err[-3000:]
    assert gone < 2.0, err[-3000:]
    assert "shutdown complete" in text and "did not stop" not in text and "Traceback" not in err
