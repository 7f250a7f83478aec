"""Quit while the disk is full: a real checkpoint-app process whose data and log folders
live on a small tmpfs, codes from a serial scanner (a pseudo-terminal). Two decisions are
recorded, the disk fills, the next code cannot be recorded ("out of service"), and then
SIGTERM -- twice. The process ends within 2 s with exit 0 and no traceback, and once there
is space again, a restart finds every decision recorded before the quit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_codes
from tests.support.small_disk import fill, small_disk

SCRIPT = """
import argparse, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "8m") as mount:
        yield mount


def _events(data: Path) -> list[str]:
    with Store.open(data, check=False) as store:
        return sorted(e.action for e in store.events_between(0, 2**62))


def _wait(proc: subprocess.Popen[str], done: object, what: str, timeout: float = 30) -> None:
    until = time.monotonic() + timeout
    while not done():  # type: ignore[operator]
        assert proc.poll() is None, f"left early while waiting for {what}"
        assert time.monotonic() < until, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_quit_twice_on_a_full_disk_ends_within_2_s_and_loses_no_record(tmp_path: Path, disk: Path) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    codes = {c.label: c.text for c in demo_codes(int(time.time()))}
    config, data, log = tmp_path / "site.json", disk / "data", disk / "log" / "checkpoint.log"
    st.save(config, st.Settings(camera="none", language="en", scanner_serial_port=os.ttyname(slave),
                                timeout_staff_s=1.0))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(log.parent),
           "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache")}
    stderr = tmp_path / "stderr.txt"  # the console log: the log file cannot grow on the full disk
    with open(stderr, "w") as err_file:
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config), str(data)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err_file, text=True)
    filler = None
    try:
        _wait(proc, lambda: log.exists() and "serial_scanner port" in log.read_text(), "the scanner")
        for n, label in enumerate(("red-turn-back", "red-hospital"), 1):
            # pyserial empties its input as it opens: send until the record is there
            _wait(proc, lambda label=label, n=n: os.write(master, codes[label].encode() + b"\r") > 0
                  and _count(data) >= n, label)
            time.sleep(1.5)  # the staff outcome's 1 s is over: the next code is a new visit
        filler = fill(disk)
        _wait(proc, lambda: os.write(master, codes["yellow"].encode() + b"\r") > 0
              and "recording event" in stderr.read_text(), "the record that cannot be made")
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        # the second, once the shutdown is through: the teardown must not die of it
        until = time.monotonic() + 5
        while "shutdown complete" not in log.read_text() and proc.poll() is None and time.monotonic() < until:
            time.sleep(0.001)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        gone = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reaped, pipes closed: no warning lands on a later test
        os.close(master)
        os.close(slave)
    err = stderr.read_text()
    print(f"quit twice on a full disk: gone after {gone:.2f} s")
    assert proc.returncode == 0, err[-3000:]
    assert gone < 2.0
    assert "Traceback" not in err and "Logging error" not in err, err[-3000:]
    # the full disk said once for the log, once per record that could not be made
    assert err.count(f"cannot write the log {log}") == 1, err[-3000:]
    assert "the disk is full; free some space" in err
    assert filler is not None
    filler.unlink()
    assert _events(data) == ["hospital_transfer", "turn_back_isolation"]


def _count(data: Path) -> int:
    try:
        return len(_events(data))
    except Exception:  # the store is being created by the app
        return 0
