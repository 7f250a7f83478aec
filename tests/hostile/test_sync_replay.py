"""A mirror between the checkpoint and the platform serves genuine signed pages, but old ones
(spec 4.3, 5): it can neither roll the cache back nor keep it looking fresh.

The mirror (tests/support/mirror.py) is a real HTTP server on loopback in front of the real
reference authority; it replays what it captured, answers 304, or sends a false Date."""

from __future__ import annotations

import email.utils
import time

import pytest

from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.core.checkpoint import Decision, Inputs, decide, scan
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, hid_secret
from tests.support.mirror import Captured, Mirror
from tests.support.sync_platform import DAY, Platform, sync

GREEN = DEMO_PEOPLE[0]
GREEN_HID = hid_for(hid_secret(), GREEN.id_number)


def _green_code_decision(store: Store, platform: Platform, now: float) -> Decision:
    """The decision on the green person's own (green) code, issued a minute before `now`."""
    ctx = store.load_context(platform.keys, "mall", int(now))
    code = next(c.text for c in demo_codes(int(now)) if c.label == GREEN.label)
    return decide(scan(code, ctx, int(now)), Inputs(36.5, True), ctx)


def _confirm_green_person(platform: Platform) -> None:
    """The green person becomes a confirmed case, after their code was issued."""
    platform.authority.set_statuses([(GREEN_HID, 2, (101,), int(platform.clock()) - 30)])


def test_a_replayed_reset_page_cannot_bring_back_a_confirmed_case(platform: Platform, mirror: Mirror,
                                                                  store: Store) -> None:
    platform.clock.offset = -3600  # an hour ago a registered checkpoint asked from beyond the log
    reset = mirror.capture("/v1/status?since=999999", platform.token)
    assert reset.status == 200
    platform.clock.offset = 0
    _confirm_green_person(platform)
    assert sync(store, platform.url, platform.token, platform.keys).ok
    cursor, before = store.cursor(), store.lookup(GREEN_HID)
    assert before is not None and before.color == Color.RED
    assert _green_code_decision(store, platform, time.time()).action == "hospital_transfer"

    mirror.replay("/v1/status", reset)
    report = sync(store, mirror.url, platform.token, platform.keys)
    assert report.error == SyncError.REPLAY and "not within 300 s of now" in report.detail
    assert store.cursor() == cursor and store.lookup(GREEN_HID) == before  # nothing rolled back
    d = _green_code_decision(store, platform, time.time())
    assert d.action == "hospital_transfer" and not d.allow


def test_a_reset_replayed_within_the_skew_still_cannot_go_behind_last_at(platform: Platform, mirror: Mirror,
                                                                        store: Store) -> None:
    """A reset fresh enough for the checkpoint's clock, but older than the data it holds."""
    platform.clock.offset = -250
    reset = mirror.capture("/v1/status?since=999999", platform.token)
    platform.clock.offset = 400  # the platform's later pages
    _confirm_green_person(platform)
    assert sync(store, platform.url, platform.token, platform.keys, now=time.time() + 200).ok
    mirror.replay("/v1/status", reset)
    report = sync(store, mirror.url, platform.token, platform.keys)  # reset at now - 250: fresh enough
    assert report.error == SyncError.REPLAY and "before the newest data held" in report.detail
    assert store.lookup(GREEN_HID) is not None


def test_a_mirror_replaying_the_last_page_cannot_keep_the_cache_fresh(platform: Platform, mirror: Mirror,
                                                                     store: Store) -> None:
    for _ in range(2):  # the second sync's page (empty, since=cursor) is what the mirror keeps
        assert sync(store, mirror.url, platform.token, platform.keys).ok
    last_at = store.sync_times().last_at
    mirror.replay("/v1/status", mirror.captured[f"/v1/status?since={store.cursor()}"])
    for days in (1, 2, 8):  # the mirror answers every sync with the same genuine page
        later = time.time() + days * DAY
        report = sync(store, mirror.url, platform.token, platform.keys, now=later)
        assert report.error == SyncError.NOT_FRESH and store.sync_times().last_at == last_at
    later = time.time() + 8 * DAY
    assert store.freshness(store.load_context(platform.keys, "mall", int(later)).policy, int(later)) == \
        Freshness(cache_stale=True, offline_too_long=True)
    assert _green_code_decision(store, platform, later).action == "cannot_verify"


def test_a_mirror_answering_304_to_everything_cannot_keep_the_cache_fresh(platform: Platform, mirror: Mirror,
                                                                         store: Store) -> None:
    assert sync(store, mirror.url, platform.token, platform.keys).ok
    mirror.frozen = True
    later = time.time() + 8 * DAY
    report = sync(store, mirror.url, platform.token, platform.keys, now=later)
    assert report.error == SyncError.MALFORMED and "HTTP 304 instead of a signed page" in report.detail
    assert "GET /v1/policy 304" in mirror.requests  # 304 stays fine for the documents
    assert _green_code_decision(store, platform, later).action == "cannot_verify"


@pytest.mark.parametrize("years", [10, -10])
def test_a_false_date_header_changes_nothing(years: int, platform: Platform, mirror: Mirror, store: Store) -> None:
    mirror.date = email.utils.formatdate(time.time() + years * 365 * DAY, usegmt=True)
    report = sync(store, mirror.url, platform.token, platform.keys)
    assert report.ok, report.detail
    now = time.time()
    assert store.freshness(store.load_context(platform.keys, "mall", int(now)).policy, int(now)) == Freshness()
    assert _green_code_decision(store, platform, now).action == "pass"


@pytest.mark.parametrize("how", ["old policy", "304"])
def test_a_mirror_that_freezes_the_policy_freezes_last_at(how: str, platform: Platform, mirror: Mirror,
                                                          store: Store) -> None:
    import json

    from checkpoint_app.authority.documents import sign_json
    from checkpoint_app.resources import resource

    assert sync(store, mirror.url, platform.token, platform.keys).ok
    old_policy, last_at, cursor = mirror.captured["/v1/policy"], store.sync_times().last_at, store.cursor()
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    platform.authority.publish("policy", sign_json(platform.authority.key, policy | {"serial": 2}))
    _confirm_green_person(platform)
    mirror.replay("/v1/policy", Captured(304, b"", {}) if how == "304" else old_policy)
    report = sync(store, mirror.url, platform.token, platform.keys, now=time.time() + 10)
    assert report.error == SyncError.DOCUMENT_BEHIND and "announces policy serial 2" in report.detail
    assert store.cursor() == cursor and store.sync_times().last_at == last_at  # the page was not applied
    assert store.document("policy").serial == 1  # type: ignore[union-attr]
    report = sync(store, platform.url, platform.token, platform.keys)  # the platform itself
    assert report.ok and store.document("policy").serial == 2  # type: ignore[union-attr]
    assert store.lookup(GREEN_HID) is not None


def _revoke_the_shanxi_issuer(platform: Platform) -> None:
    """Trust list serial 2: the issuer of every demo code (140000) revoked; its pages announce it."""
    from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
    from checkpoint_app.core.codes.signature import load_public_pem
    from checkpoint_app.demo.people import demo_keys_dir

    now = int(platform.clock())
    shanxi = load_public_pem((demo_keys_dir() / "issuer-140000.pub.pem").read_bytes())
    revoked = IssuerKey("140000", "山西省", shanxi, now - DAY, now + DAY, status="revoked")
    platform.authority.publish("trust-list", sign_json(platform.authority.key, trust_list_json(2, now, [revoked])))


@pytest.mark.parametrize("how", ["old trust list", "304"])
def test_a_mirror_that_freezes_the_trust_list_freezes_last_at(how: str, platform: Platform, mirror: Mirror,
                                                              store: Store) -> None:
    """The trust list that revokes an issuer is announced by the pages (trust_serial 2) but the
    mirror keeps serving serial 1: the checkpoint asks for it, does not apply the page, and the
    cache ages until it refuses the revoked issuer's codes as unverifiable; never fresh."""
    assert sync(store, mirror.url, platform.token, platform.keys).ok
    old_list, last_at, cursor = mirror.captured["/v1/trust-list"], store.sync_times().last_at, store.cursor()
    assert store.document("trust-list").serial == 1  # type: ignore[union-attr]
    _revoke_the_shanxi_issuer(platform)
    mirror.replay("/v1/trust-list", Captured(304, b"", {}) if how == "304" else old_list)
    for days in (0, 1, 8):
        later = time.time() + days * DAY + 10
        asked = len(mirror.requests)
        report = sync(store, mirror.url, platform.token, platform.keys, now=later)
        assert report.error == SyncError.DOCUMENT_BEHIND and "announces trust-list serial 2" in report.detail
        # Asked once with the sync, and again after the page announced serial 2: insisted on.
        assert [r for r in mirror.requests[asked:] if r.startswith("GET /v1/trust-list")] == \
            [f"GET /v1/trust-list {304 if how == '304' else 200}"] * 2
        assert store.cursor() == cursor and store.sync_times().last_at == last_at  # the page was not applied
        assert store.document("trust-list").serial == 1  # type: ignore[union-attr]
    later = time.time() + 8 * DAY
    assert store.freshness(store.load_context(platform.keys, "mall", int(later)).policy, int(later)) == \
        Freshness(cache_stale=True, offline_too_long=True)
    assert _green_code_decision(store, platform, later).action == "cannot_verify"
    report = sync(store, platform.url, platform.token, platform.keys)  # the platform itself
    assert report.ok and store.document("trust-list").serial == 2  # type: ignore[union-attr]
    d = _green_code_decision(store, platform, time.time())
    assert (d.action, d.allow, str(d.error)) == ("invalid_code", False, "KEY_NOT_VALID")  # revoked: refused
