"""Resets: compaction past a checkpoint's cursor, the shadow rebuild, and its interruption."""

from __future__ import annotations

import os
from typing import Any

from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from tests.support.sync_checks import FaultProxy, cache_state, expected_state, snapshot
from tests.support.sync_platform import NOW, Platform, sync


def _compact_past(platform: Platform) -> list[bytes]:
    """Many people, then removals the compaction drops: checkpoints behind it must rebuild."""
    people = [os.urandom(16) for _ in range(180)]
    platform.authority.set_statuses([(h, 2, (103,), NOW - 10 * 86400) for h in people])
    platform.authority.set_statuses([(h, 0, (), NOW - 9 * 86400) for h in people[:30]])
    result = platform.authority.compact(drop_removals_before=NOW - 86400)
    assert result.horizon > 0
    return people


def test_compaction_makes_a_lagging_checkpoint_rebuild(platform: Platform, store: Store) -> None:
    people = [os.urandom(16) for _ in range(10)]
    platform.authority.set_statuses([(h, 1, (201,), NOW - 20 * 86400) for h in people])
    assert sync(store, platform.url, platform.token, platform.keys).ok
    assert store.lookup(people[0]) is not None
    _compact_past(platform)
    platform.authority.set_statuses([(h, 0, (), NOW - 5 * 86400) for h in people])
    platform.authority.compact(drop_removals_before=NOW - 86400)
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.rebuilt and report.pages > 1
    assert store.lookup(people[0]) is None  # a dropped removal still reached the cache
    assert cache_state(store.path) == expected_state(platform.authority)


def test_an_interrupted_rebuild_keeps_the_old_cache_in_use(platform: Platform, proxy: FaultProxy,
                                                          store: Store) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    old_cache, old_cursor = cache_state(store.path), store.cursor()
    _compact_past(platform)
    calls: list[str] = []

    def fail_the_second_rebuild_page(path: str, status: int, body: bytes) -> Any:
        if path.startswith("/v1/status"):
            calls.append(path)
            if "rebuild=1" in path and len(calls) >= 3:
                return 500, b""
        return None

    proxy.fault = fail_the_second_rebuild_page
    report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and report.pages == 2
    assert cache_state(store.path) == old_cache and store.cursor() == old_cursor
    demo_hid = next(iter(old_cache))
    assert store.lookup(demo_hid) is not None  # lookups still answer from the old table
    proxy.fault = None
    again = sync(store, proxy.url, platform.token, platform.keys)
    assert again.ok and again.rebuilt  # the rebuild starts over
    assert cache_state(store.path) == expected_state(platform.authority)
    assert "status_new" not in snapshot(store.path)


def test_a_cursor_ahead_of_the_platform_resets_only_in_a_new_epoch(platform: Platform, store: Store) -> None:
    """A platform restored from a backup is behind the checkpoints' cursors. In the same epoch its
    reset would roll the caches back to the backup's log (tests/hostile/test_atk_rebuild_tail.py):
    refused, the held cache stays, until the platform starts a new epoch (spec 4.3)."""
    assert sync(store, platform.url, platform.token, platform.keys).ok
    with store.transaction() as conn:
        conn.execute("UPDATE state SET value = 999 WHERE key = 'cursor'")  # the platform restored a backup
    held = cache_state(store.path)
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.error == SyncError.REPLAY and "checkpoint-authority new-epoch" in report.detail
    assert store.cursor() == 999 and cache_state(store.path) == held
    platform.authority.new_epoch()
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.rebuilt and report.cursor == 4
    assert cache_state(store.path) == expected_state(platform.authority)
