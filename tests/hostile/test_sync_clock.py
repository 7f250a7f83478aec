"""The checkpoint's clock jumps (faketime runs the real command line with a shifted clock): no
record is deleted for a local clock's sake (spec 7), and a clock behind the platform's gives
clock_error from the signed time (spec 4.2, 4.3)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes
from tests.support.events import scan_event
from tests.support.sync_platform import DAY, PUB_PEM, Platform

pytestmark = pytest.mark.needs_programs("faketime")


def _app(shift: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["faketime", "-f", shift, sys.executable, "-m", "checkpoint_app", *args],
                          capture_output=True, text=True, timeout=120)


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: connections are refused


def test_a_clock_40_days_ahead_deletes_no_record(platform: Platform, tmp_path: Path) -> None:
    data, now = tmp_path / "cp", int(time.time())
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", str(PUB_PEM),
                 "--data-dir", str(data)]) == 0
    uploaded, queued = scan_event(now - 3600), [scan_event(now - 60 - i) for i in range(3)]
    with Store.open(data) as store:
        for e in (uploaded, *queued):
            store.record_event(e)
        store.mark_sent([uploaded.event_id], now)
    done = _app("+40d", "sync", "--once", "--server", _dead_url(), "--data-dir", str(data), "--timeout", "2")
    assert done.returncode == 1 and "NETWORK" in done.stderr, done.stderr
    with Store.open(data) as store:
        held = {e.event_id for e in store.events_between(0, 2**40)}
        assert held == {uploaded.event_id, *(e.event_id for e in queued)} and store.pending_count() == 3


def test_a_clock_a_day_behind_gives_clock_error_from_the_signed_time(platform: Platform, tmp_path: Path) -> None:
    data = tmp_path / "cp"
    done = _app("-1d", "sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key",
                str(PUB_PEM), "--data-dir", str(data))
    assert done.returncode == 1 and "NOT_FRESH" in done.stderr, done.stderr  # applied, but not a good sync
    code = next(c.text for c in demo_codes(int(time.time()) - DAY) if c.label == DEMO_PEOPLE[0].label)
    verified = _app("-1d", "verify", "--json", "--data-dir", str(data), "--temperature", "36.5", "--mask", "yes",
                    code)
    assert json.loads(verified.stdout)["action"] == "cannot_verify"
