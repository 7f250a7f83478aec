"""The outbox: idempotent upload, retry after a lost answer, malformed batches, retention."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from checkpoint_app.authority.db import scans
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from tests.support.events import TURNED_BACK, scan_event
from tests.support.sync_checks import FaultProxy
from tests.support.sync_platform import NOW, Platform, sync


def event(ts: int = NOW - 60, **kw: Any) -> ScanEvent:
    return scan_event(ts, **{**TURNED_BACK, **kw})


def held(platform: Platform) -> int:
    with platform.authority.engine.connect() as conn:
        n: int = conn.execute(select(func.count()).select_from(scans)).scalar_one()
    return n


def test_upload_sends_the_outbox_once(platform: Platform, store: Store) -> None:
    for i in range(3):
        store.record_event(event(ts=NOW - i))
    assert store.pending_count() == 3
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.uploaded == 3 and report.pending == 0
    assert held(platform) == 3
    assert len(store.events_between(0, NOW + 1)) == 3  # kept locally until retention ends
    again = sync(store, platform.url, platform.token, platform.keys)
    assert again.uploaded == 0 and held(platform) == 3


def test_upload_retried_after_a_lost_answer_makes_no_duplicates(platform: Platform, proxy: FaultProxy,
                                                               store: Store) -> None:
    events = [event(ts=NOW - i) for i in range(4)]
    for e in events:
        store.record_event(e)
    # The platform stores the batch, but its answer is lost on the way back.
    proxy.fault = lambda path, status, body: (502, b"") if path.startswith("/v1/scans") else None
    report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and store.pending_count() == 4
    assert held(platform) == 4
    proxy.fault = None
    report = sync(store, proxy.url, platform.token, platform.keys)
    assert report.ok and report.duplicates == 4 and report.uploaded == 0 and store.pending_count() == 0
    assert held(platform) == 4


def test_an_event_the_platform_rejects_leaves_the_queue_marked(platform: Platform, store: Store) -> None:
    # (A batch-level 4xx keeps its events queued: tests/hostile/test_upload_one_rule.py.)
    store.record_event(bad := event(hid="not-hex"))
    store.record_event(event())
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.uploaded == 1 and report.rejected == 1
    assert store.pending_count() == 0 and held(platform) == 1
    upload = {r.event.event_id: r.upload for r in store.records_between(0, NOW + 1).records}
    assert upload[bad.event_id].startswith("rejected: hid")


def test_upload_with_another_checkpoints_id_is_forbidden(platform: Platform, store: Store) -> None:
    store.record_event(event())
    report = sync(store, platform.url, platform.token, platform.keys, checkpoint_id="SOMEONE-ELSE")
    assert report.error == SyncError.AUTH_REFUSED and store.pending_count() == 1


def test_retention_purge_deletes_only_records_that_left_the_queue(platform: Platform, proxy: FaultProxy,
                                                                    store: Store,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Spec 7: a record that left the queue goes when `last_at - ts` exceeds 28 days; a queued
    one is never deleted for age, however old."""
    assert sync(store, proxy.url, platform.token, platform.keys).ok  # brings last_at
    old_sent, old_queued, recent = event(ts=NOW - 40 * 86400), event(ts=NOW - 90 * 86400), event(ts=NOW - 86400)
    for e in (old_sent, old_queued, recent):
        store.record_event(e)
    store.mark_sent([old_sent.event_id], NOW - 40 * 86400)
    proxy.fault = lambda path, status, body: (500, b"") if path.startswith("/v1/scans") else None
    with caplog.at_level(logging.INFO, logger="checkpoint.store"):
        report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and report.purged == 1
    assert {e.event_id for e in store.events_between(0, NOW + 1)} == {old_queued.event_id, recent.event_id}
    assert "deleted 1 uploaded scan records older than 28 days" in caplog.text
    proxy.fault = None
    last = sync(store, proxy.url, platform.token, platform.keys)  # the proxy had passed them on: duplicates
    assert last.ok and last.uploaded + last.duplicates == 2 and last.pending == 0


def test_statistics_count_per_day_region_colour_action_and_fever(platform: Platform, store: Store) -> None:
    store.record_event(event(temperature_c=38.1, action="fever_referral", color="green"))
    store.record_event(event())
    assert sync(store, platform.url, platform.token, platform.keys).ok
    assert requests.get(f"{platform.url}/v1/stats", timeout=5).status_code == 401
    platform.authority.admin_token = "admin-secret"
    resp = requests.get(f"{platform.url}/v1/stats", headers={"Authorization": "Bearer admin-secret"}, timeout=5)
    stats = resp.json()
    assert stats["total"] == 2 and stats["by_region"] == {"140105": 2}
    assert stats["by_color"] == {"green": 1, "red": 1} and stats["by_fever"] == {"false": 1, "true": 1}
    assert stats["by_action"] == {"fever_referral": 1, "turn_back_isolation": 1}
    assert sum(stats["by_day"].values()) == 2
    body = json.dumps(stats)
    assert "ab" * 16 not in body  # aggregates only
