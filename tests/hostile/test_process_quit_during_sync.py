"""The whole way out of a real `checkpoint-app` process (issue 14 item 3): systemd's SIGTERM
arrives while the window syncs with a platform that never takes the connection, or answers
one byte every 2 s. The process is gone within 2 s -- the Qt loop left, the one shutdown
path run, every thread ended so that the interpreter exits -- with exit code 0, and the
events waiting for upload are still in the store."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from checkpoint_app.core.store import Store
from tests.support.demo_day import events_for
from tests.support.hostile_http import BlackHole, HostileServer, relay, slow_body
from tests.support.store_world import World, loopback_platform, run_cli

SCRIPT = """
import argparse, sys
from PySide6.QtWidgets import QApplication
from checkpoint_app import app
qapp = QApplication(sys.argv[:1])
args = argparse.Namespace(demo=False, kiosk=False, config=sys.argv[1], data_dir=sys.argv[2])
sys.exit(app.run(args))
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


def checkpoint(tmp_path: Path, world: World, server_url: str) -> tuple[Path, Path, set[str]]:
    """Settings, a data folder synced once and pointed at `server_url`, and 3 queued events."""
    config, data = tmp_path / "site.json", tmp_path / "data"
    st.save(config, st.Settings(camera="none", checkpoint_id="TY-XD-0001", language="en"))
    assert run_cli(world.sync_args(data)).code == 0
    events = events_for(("TY-XD-0001", "140105-mall-0007", "mall"), world.now - 86400, 3, random.Random(1))
    with Store.open(data) as store:
        store.set_setting("server_url", server_url)
        for e in events:
            store.record_event(e)
    return config, data, {e.event_id for e in events}


@pytest.mark.parametrize("where", ["connect", "status_page"])
def test_sigterm_during_a_stuck_sync_ends_the_process_within_2_s(tmp_path: Path, world: World, where: str) -> None:
    with contextlib.ExitStack() as stack:
        if where == "connect":
            hole = stack.enter_context(BlackHole())
            url, stuck = hole.url, lambda: hole.connecting() > 0
        else:
            srv = stack.enter_context(HostileServer())
            srv.serve("/v1/status", slow_body(b"\xa0" * 4096, 2.0))
            srv.serve("/", relay(world.url))
            url, stuck = srv.url, lambda: any(r.startswith("/v1/status") for r in srv.requests)
        config, data, waiting = checkpoint(tmp_path, world, url)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config), str(data)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            until = time.monotonic() + 60
            while not stuck() and proc.poll() is None and time.monotonic() < until:
                time.sleep(0.05)
            assert stuck(), "the window never started its sync"
            time.sleep(1.0)  # well inside the stuck request
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
            gone = time.monotonic() - sent
        finally:
            if proc.poll() is None:  # reaped and its pipes closed here, not by a later test's collection
                proc.kill()
                proc.communicate()
    print(f"SIGTERM during a sync stuck at {where}: process gone after {gone:.2f} s")
    assert proc.returncode == 0, err[-3000:]
    assert "shutdown complete" in err and "did not stop" not in err
    assert gone < 2.0, err[-3000:]
    with Store.open(data, check=False) as store:
        assert {e.event_id for e in store.pending_events(100, None)} == waiting
