"""A mirror completes a rebuild with an old last page (spec 4.3): the reset it serves is
fresh (it asked the platform with the checkpoint's own token, from beyond the log), the
full pages after it are genuine history, and the last page is a genuine one captured an
hour earlier, when the log ended sooner. Only the reset was checked against `last_at`:
the rebuilt cache replaced a newer one, and a confirmed case passed again.

The new cache stands only if the chain's last page is no older than the data held
(`last_at - clock_skew_s`) and, within one epoch, ends no earlier than the held cursor."""

from __future__ import annotations

import os
import time

from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from tests.hostile.test_sync_replay import GREEN_HID, _confirm_green_person, _green_code_decision
from tests.support.mirror import Mirror
from tests.support.sync_platform import Platform, sync

PAGE = 50  # the platform's page size (sync_platform.running_platform)


def _people(platform: Platform, n: int) -> None:
    platform.authority.set_statuses([(os.urandom(16), 1, (201,), int(platform.clock()) - 7200)
                                     for _ in range(n)])


def test_a_rebuild_ending_in_an_old_last_page_does_not_replace_a_newer_cache(platform: Platform, mirror: Mirror,
                                                                            store: Store) -> None:
    _people(platform, PAGE + 10)  # the log now ends a little past its first full page
    platform.clock.offset = -3600  # an hour ago the mirror keeps the last page after the first full one
    old_tail = mirror.capture(f"/v1/status?since={PAGE}", platform.token)
    platform.clock.offset = 0
    _people(platform, PAGE)
    _confirm_green_person(platform)
    assert sync(store, platform.url, platform.token, platform.keys).ok
    cursor, last_at, held = store.cursor(), store.sync_times().last_at, store.lookup(GREEN_HID)
    assert held is not None and held.color == Color.RED

    reset = mirror.capture("/v1/status?since=999999", platform.token)  # fresh, genuine
    mirror.replay_exact(f"/v1/status?since={cursor}", reset)
    mirror.replay_exact(f"/v1/status?since={PAGE}&rebuild=1", old_tail)
    report = sync(store, mirror.url, platform.token, platform.keys)
    assert report.error == SyncError.REPLAY and "before the newest data held" in report.detail, report
    assert store.cursor() == cursor and store.lookup(GREEN_HID) == held
    assert store.sync_times().last_at == last_at
    decision = _green_code_decision(store, platform, time.time())
    assert decision.action == "hospital_transfer" and not decision.allow
    assert sync(store, platform.url, platform.token, platform.keys).ok  # the platform itself: all well again
    assert store.lookup(GREEN_HID) == held


def test_a_rebuild_ending_before_the_held_cursor_is_refused_even_within_the_skew(platform: Platform,
                                                                                 mirror: Mirror,
                                                                                 store: Store) -> None:
    """Captured two minutes before the checkpoint's last sync: within clock_skew_s of `last_at`,
    but the log it ends has fewer entries than the cache held (the same epoch)."""
    _people(platform, PAGE + 10)
    platform.clock.offset = -120
    old_tail = mirror.capture(f"/v1/status?since={PAGE}", platform.token)
    platform.clock.offset = 0
    _confirm_green_person(platform)
    assert sync(store, platform.url, platform.token, platform.keys).ok
    cursor, held = store.cursor(), store.lookup(GREEN_HID)
    reset = mirror.capture("/v1/status?since=999999", platform.token)
    mirror.replay_exact(f"/v1/status?since={cursor}", reset)
    mirror.replay_exact(f"/v1/status?since={PAGE}&rebuild=1", old_tail)
    report = sync(store, mirror.url, platform.token, platform.keys)
    assert report.error == SyncError.REPLAY and f"before the held cursor {cursor}" in report.detail, report
    assert store.cursor() == cursor and store.lookup(GREEN_HID) == held
