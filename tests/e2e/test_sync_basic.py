"""First sync, incremental sync, paging, and the final-status rule through a synced cache."""

from __future__ import annotations

import os
import time

from checkpoint_app.authority.issuing import issue
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.codes.claims import Color, HealthCode
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.sync_checks import FaultProxy, cache_state, expected_state
from tests.support.sync_platform import NOW, Platform, sync


def _changes(n: int, start: int = 0, color: int = 2) -> list[tuple[bytes, int, tuple[int, ...], int]]:
    return [(os.urandom(16), color, (103,), NOW - 2000 + i) for i in range(start, start + n)]


def test_first_sync_fetches_documents_and_the_whole_cache(platform: Platform, store: Store) -> None:
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok, report.detail
    assert report.documents_updated == ("trust-list", "policy")
    assert cache_state(store.path) == expected_state(platform.authority) != {}
    assert store.cursor() == report.cursor == 4
    times, now = store.sync_times(), time.time()
    assert times.local is not None and abs(times.local - now) < 60
    assert times.last_at is not None and abs(times.last_at - now) < 60 and report.last_at == times.last_at
    ctx = store.load_context(platform.keys, "mall", NOW)
    assert ctx.policy.serial == 1 and ctx.trust.serial == 1 and ctx.venue_type == "mall"


def test_incremental_sync_fetches_only_the_changes(platform: Platform, store: Store) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    platform.authority.set_statuses(_changes(7))
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.documents_updated == () and report.entries == 7 and report.pages == 1
    assert report.cursor == 11
    assert cache_state(store.path) == expected_state(platform.authority)
    again = sync(store, platform.url, platform.token, platform.keys)
    assert again.ok and again.entries == 0 and again.cursor == 11


def test_unchanged_documents_are_not_fetched_again(platform: Platform, proxy: FaultProxy, store: Store) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    proxy.requests.clear()
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    assert proxy.requests[:2] == ["GET /v1/trust-list 304", "GET /v1/policy 304"]


def test_paging_across_many_pages(platform: Platform, store: Store) -> None:
    changes = _changes(1000)
    platform.authority.set_statuses(changes)
    # Removals and changes of people already in the log, across page boundaries.
    platform.authority.set_statuses([(hid, 0, (), NOW) for hid, *_ in changes[::7]])
    platform.authority.set_statuses([(hid, 1, (201,), NOW) for hid, *_ in changes[::11]])
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.pages == -(-report.cursor // 50)  # page size 50
    assert report.pages >= 25
    assert cache_state(store.path) == expected_state(platform.authority)


def _code(hid: bytes, iat: int, color: Color, reasons: tuple[int, ...]) -> str:
    key = load_private_key(demo_keys_dir() / "issuer-140000.pem")
    return issue(key, HealthCode(iss="140000", iat=iat, exp=iat + 86400, hid=hid, color=color, reasons=reasons,
                                 name="王*廉", doc="1401**********0913", doc_type=1))


def test_final_status_rule_through_the_synced_cache(platform: Platform, store: Store) -> None:
    iat = NOW - 600
    people = {name: os.urandom(16) for name in ("cache_newer", "code_newer", "tie", "removed", "whitelist")}
    platform.authority.set_statuses([
        (people["cache_newer"], 2, (103,), iat + 60),
        (people["code_newer"], 1, (201,), iat - 60),
        (people["tie"], 1, (204,), iat),
        (people["removed"], 2, (101,), iat - 300),
        (people["removed"], 0, (), iat - 200),
        (people["whitelist"], 0, (301,), iat + 60),
    ])
    assert sync(store, platform.url, platform.token, platform.keys).ok
    ctx = store.load_context(platform.keys, "mall", NOW)

    def final(name: str, color: Color, reasons: tuple[int, ...] = ()) -> tuple[str, tuple[int, ...], bool]:
        d = decide(scan(_code(people[name], iat, color, reasons), ctx, NOW), Inputs(36.5, True), ctx)
        assert d.valid
        return d.color.label if d.color is not None else "", d.reasons or (), d.scan.status.cache_entry  # type: ignore[union-attr]

    assert final("cache_newer", Color.GREEN) == ("red", (103,), True)
    assert final("code_newer", Color.GREEN) == ("green", (), True)
    assert final("tie", Color.GREEN) == ("yellow", (204,), True)  # tie: the more severe stands
    assert final("tie", Color.YELLOW, (201,)) == ("yellow", (201,), True)  # equal colours: the code's reasons
    assert final("removed", Color.GREEN) == ("green", (), False)  # a removal leaves no entry
    assert store.lookup(people["whitelist"]) is not None
    assert final("whitelist", Color.YELLOW, (204,)) == ("green", (301,), True)
