"""A sync process killed (SIGKILL) in the middle of applying a page leaves the store at the
previous page boundary, and the next sync completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.sync_checks import cache_state, expected_state
from tests.support.sync_platform import NOW, Platform, sync
from tests.support.waiting import wait_for


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("first_sync", [False, True])
def test_sigkill_while_applying_a_page_leaves_the_last_page_boundary(platform: Platform, tmp_path: Path,
                                                                     first_sync: bool) -> None:
    data, marker = tmp_path / "cp", tmp_path / "applying"
    start = 0
    if not first_sync:
        with Store.open(data) as store:
            assert sync(store, platform.url, platform.token, platform.keys).ok
            start = store.cursor()
    platform.authority.set_statuses([(os.urandom(16), 2, (103,), NOW) for _ in range(400)])
    # The third page sleeps inside its transaction, its rows written but not committed.
    env = dict(os.environ, CHECKPOINT_TEST_APPLY_MARKER=str(marker), CHECKPOINT_TEST_SLOW_PAGE="3")
    cmd = [sys.executable, "-m", "checkpoint_app", "sync", "--once", "--server", platform.url,
           "--token", platform.token, "--root-key", str(demo_keys_dir() / "distribution.pub.pem"),
           "--data-dir", str(data)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: marker.exists() and marker.read_text().count("\n") >= 3)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(data) as store:
        # Pages 1 and 2 (50 entries each) were committed, page 3 was not.
        if first_sync:  # staged beside the (empty) live cache; the next sync resumes
            assert store.cursor() == 0 and store.resume_point() == 100 and cache_state(store.path) == {}
        else:
            assert store.cursor() == start + 100
            assert cache_state(store.path) == expected_state(platform.authority, upto=start + 100)
        report = sync(store, platform.url, platform.token, platform.keys)
        assert report.ok and report.cursor == 404
        assert cache_state(store.path) == expected_state(platform.authority)
