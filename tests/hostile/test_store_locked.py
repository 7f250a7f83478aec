"""A store held by a stopped process (a sync paused with Ctrl-Z: `kill -STOP`) in the middle
of a page's transaction. Reading goes on at once; a write waits for the busy timeout and
fails with one line; nothing is taken for corruption or moved aside; and when the sync
goes on, its commit lands in the one real store (issue 9, item 2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store
from checkpoint_app.core.store.connection import BUSY_TIMEOUT_MS
from tests.support.station import configure_station
from tests.support.store_world import STORE, World, listing, loopback_platform, one_line_error, run_cli
from tests.support.waiting import wait_for


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGSTOP")
def test_a_sync_stopped_inside_its_transaction_is_waited_for_never_replaced(world: World, tmp_path: Path) -> None:
    data, marker = tmp_path / "cp", tmp_path / "applying"
    codes = world.codes()
    configure_station()
    assert run_cli(world.sync_args(data)).code == 0
    assert run_cli(["verify", "--record", "--data-dir", str(data), codes["green"], codes["yellow"]]).code == 0
    world.authority.set_statuses([(os.urandom(16), 2, (103,), world.now) for _ in range(30)])
    head = 4 + 30
    env = dict(os.environ, CHECKPOINT_TEST_APPLY_MARKER=str(marker), CHECKPOINT_TEST_SLOW_PAGE="1",
               CHECKPOINT_TEST_SLOW_S="3")
    sync = subprocess.Popen([sys.executable, "-m", "checkpoint_app", "sync", "--once", "--data-dir", str(data)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: marker.exists() and "page 1" in marker.read_text(), 30, "the sync to reach its page")
        os.kill(sync.pid, signal.SIGSTOP)  # its page's rows written, not committed: it holds the write lock
        read = run_cli(["verify", "--data-dir", str(data), codes["red-turn-back"]])
        assert read.code == 0 and "turn_back_isolation" in read.out and read.seconds < BUSY_TIMEOUT_MS / 1000
        write = run_cli(["verify", "--record", "--data-dir", str(data), codes["green"]])
        assert write.code == 2 and one_line_error(write.err, "locked by another process"), write.err
        assert write.seconds >= BUSY_TIMEOUT_MS / 1000 * 0.95  # it waited for the lock first
        assert listing(data) == [STORE, f"{STORE}-shm", f"{STORE}-wal"]  # nothing moved aside
    finally:
        os.kill(sync.pid, signal.SIGCONT)
        out, err = sync.communicate(timeout=60)
    assert sync.returncode == 0, err
    assert "uploaded 2" in out
    with Store.open(data) as store:  # the late commit landed in the real store
        assert store.cursor() == head and store.cache_size() == head
        assert len(store.events_between(0, 2**62)) == 2 and store.pending_count() == 0
        assert store.get_setting("token") == world.token
    assert not [n for n in listing(data) if ".corrupt" in n]
