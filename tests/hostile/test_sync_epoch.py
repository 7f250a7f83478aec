"""Epochs (spec 4.3): a platform restored from a backup starts a new epoch; a checkpoint that
sees a page of another epoch refuses it and rebuilds at once, the old cache in use until the
new chain is complete."""

from __future__ import annotations

import os
from typing import Any

from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from tests.support.sync_checks import FaultProxy, cache_state, expected_state, snapshot
from tests.support.sync_platform import Platform, sync


def _restore_from_backup(platform: Platform) -> list[bytes]:
    """What a restore looks like to a checkpoint: the log differs below its cursor, in a new epoch."""
    people = [os.urandom(16) for _ in range(120)]
    with platform.authority.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM status_log WHERE seq > 2")
        conn.exec_driver_sql("UPDATE counters SET value = 2 WHERE name = 'head'")
    platform.authority.new_epoch()
    platform.authority.set_statuses([(h, 1, (204,), int(platform.clock()) - 60) for h in people])
    return people


def test_a_new_epoch_makes_the_checkpoint_rebuild_at_once(platform: Platform, proxy: FaultProxy,
                                                          store: Store) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    old_epoch = store.expected_epoch()
    people = _restore_from_backup(platform)
    proxy.requests.clear()
    report = sync(store, proxy.url, platform.token, platform.keys)
    assert report.ok and report.rebuilt, report.detail
    status = [r.split()[1] for r in proxy.requests if "/v1/status" in r]
    assert status[:2] == ["/v1/status?since=4", "/v1/status?since=0&rebuild=1"]  # refused, then rebuilt
    assert store.expected_epoch() not in (None, old_epoch)
    assert cache_state(store.path) == expected_state(platform.authority)  # the old seqs 3 and 4 are gone
    assert store.lookup(people[0]) is not None


def test_an_interrupted_epoch_rebuild_keeps_the_old_cache_in_use(platform: Platform, proxy: FaultProxy,
                                                                store: Store) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    old_cache, old_cursor, old_epoch = cache_state(store.path), store.cursor(), store.expected_epoch()
    _restore_from_backup(platform)
    calls: list[str] = []

    def fail_the_second_rebuild_page(path: str, status: int, body: bytes) -> Any:
        if path.startswith("/v1/status") and "rebuild=1" in path:
            calls.append(path)
            if len(calls) >= 2:
                return 500, b""
        return None

    proxy.fault = fail_the_second_rebuild_page
    report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and report.pages == 1
    assert cache_state(store.path) == old_cache and store.cursor() == old_cursor
    assert store.expected_epoch() == old_epoch
    proxy.fault = None
    again = sync(store, proxy.url, platform.token, platform.keys)
    assert again.ok and again.rebuilt
    assert cache_state(store.path) == expected_state(platform.authority)
    assert "status_new" not in snapshot(store.path)


def test_a_page_of_another_epoch_within_a_rebuild_is_refused(platform: Platform, proxy: FaultProxy,
                                                             store: Store) -> None:
    """Two epochs in one chain (a platform restored while the checkpoint rebuilt): nothing of it is used."""
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    old_cache = cache_state(store.path)
    _restore_from_backup(platform)
    served: list[str] = []

    def new_epoch_after_the_first_rebuild_page(path: str, status: int, body: bytes) -> Any:
        if "rebuild=1" in path:
            served.append(path)
            if len(served) == 1:
                platform.authority.new_epoch()
        return None

    proxy.fault = new_epoch_after_the_first_rebuild_page
    report = sync(store, proxy.url, platform.token, platform.keys)
    assert report.error == SyncError.MALFORMED and "within a chain of epoch" in report.detail
    assert cache_state(store.path) == old_cache
