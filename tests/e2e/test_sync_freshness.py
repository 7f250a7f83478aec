"""cache_stale, offline_too_long and clock_error from the times the last sync recorded."""

from __future__ import annotations

from sync_support import NOW, Platform, sync

from checkpoint_app.authority.demo import DEMO_PEOPLE, demo_codes
from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.store import Store

DAY = 86400


def test_never_synced_counts_as_stale_and_offline(store: Store, platform: Platform) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    policy = store.load_context(platform.keys, "mall", NOW).policy
    with store.transaction() as conn:
        conn.execute("DELETE FROM state WHERE key LIKE 'last_sync%'")
    assert store.freshness(policy, NOW) == Freshness(cache_stale=True, offline_too_long=True)


def test_the_three_facts_follow_the_recorded_times(platform: Platform, store: Store) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    times = store.sync_times()
    assert times.local == NOW and times.platform is not None
    policy = store.load_context(platform.keys, "mall", NOW).policy  # max_cache_age 1 day, max_offline 7 days
    assert store.freshness(policy, NOW + DAY) == Freshness()
    assert store.freshness(policy, NOW + DAY + 1) == Freshness(cache_stale=True)
    assert store.freshness(policy, NOW + 7 * DAY + 1) == Freshness(cache_stale=True, offline_too_long=True)
    assert store.freshness(policy, times.platform - 300) == Freshness()
    assert store.freshness(policy, times.platform - 301) == Freshness(clock_error=True)


def test_offline_too_long_makes_the_policy_refuse(platform: Platform, store: Store) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    later = NOW + 8 * DAY
    ctx = store.load_context(platform.keys, "mall", later)
    assert ctx.freshness.offline_too_long
    green = next(c.text for c in demo_codes(later) if c.label == DEMO_PEOPLE[0].label)
    d = decide(scan(green, ctx, later), Inputs(36.5, True), ctx)
    assert d.action == "cannot_verify" and not d.allow
    fresh = store.load_context(platform.keys, "mall", NOW)
    green_now = next(c.text for c in demo_codes(NOW) if c.label == DEMO_PEOPLE[0].label)
    assert decide(scan(green_now, fresh, NOW), Inputs(36.5, True), fresh).action == "pass"
