"""cache_stale, offline_too_long and clock_error count from `last_at`, the signed time of the
newest page applied (spec 4.2, 4.3), never from the local time of a sync."""

from __future__ import annotations

import time

from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes
from tests.support.sync_platform import DAY, Platform, sync


def test_never_synced_counts_as_stale_and_offline(store: Store, platform: Platform) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    now = int(time.time())
    policy = store.load_context(platform.keys, "mall", now).policy
    with store.transaction() as conn:
        conn.execute("DELETE FROM state WHERE key = 'last_at'")
    assert store.freshness(policy, now) == Freshness(cache_stale=True, offline_too_long=True, never_synced=True)


def test_the_three_facts_follow_the_signed_time(platform: Platform, store: Store) -> None:
    platform.clock.offset = -250  # the platform's clock a little behind: within clock_skew_s
    assert sync(store, platform.url, platform.token, platform.keys).ok
    times = store.sync_times()
    assert times.local is not None and times.last_at is not None
    assert abs(times.last_at - (times.local - 250)) < 5  # the page's time, not the checkpoint's
    at = times.last_at
    policy = store.load_context(platform.keys, "mall", at).policy  # max_cache_age 1 day, max_offline 7 days
    assert store.freshness(policy, at + DAY) == Freshness()
    assert store.freshness(policy, at + DAY + 1) == Freshness(cache_stale=True)
    assert store.freshness(policy, at + 7 * DAY + 1) == Freshness(cache_stale=True, offline_too_long=True)
    assert store.freshness(policy, at - 300) == Freshness()
    assert store.freshness(policy, at - 301) == Freshness(clock_error=True)


def test_offline_too_long_makes_the_policy_refuse(platform: Platform, store: Store) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    now = int(time.time())
    later = now + 8 * DAY
    ctx = store.load_context(platform.keys, "mall", later)
    assert ctx.freshness.offline_too_long
    green = next(c.text for c in demo_codes(later) if c.label == DEMO_PEOPLE[0].label)
    d = decide(scan(green, ctx, later), Inputs(36.5, True), ctx)
    assert d.action == "cannot_verify" and not d.allow
    fresh = store.load_context(platform.keys, "mall", now)
    green_now = next(c.text for c in demo_codes(now) if c.label == DEMO_PEOPLE[0].label)
    assert decide(scan(green_now, fresh, now), Inputs(36.5, True), fresh).action == "pass"
