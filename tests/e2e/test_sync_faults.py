"""Every fault leaves the store exactly as it was; the next good sync catches up."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from checkpoint_app.authority.documents import sign_json
from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError
from checkpoint_app.core.trust.documents import open_document, sign_document
from checkpoint_app.demo.authority import _trust_list
from checkpoint_app.resources import resource
from tests.support.sync_checks import FaultProxy, cache_state, expected_state, snapshot
from tests.support.sync_platform import NOW, Platform, sync


def _resign_page(key: Any, body: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    """A platform holding the real key that sends a broken page (the checks after the signature)."""
    page = cbor2.loads(open_document(body, [key.public_key()]))
    change(page)
    return sign_document(key, cbor2.dumps(page))


def _date_an_entry_ahead(page: dict[str, Any]) -> None:
    page["entries"][0][3] = page["at"] + 301  # the default policy's clock_skew_s is 300


def _only(path: str, fn: Callable[[bytes], tuple[int, bytes]]) -> Callable[[str, int, bytes], Any]:
    return lambda p, status, body: fn(body) if p.startswith(path) and status == 200 else None


def _flip_last(body: bytes) -> tuple[int, bytes]:
    return 200, body[:-1] + bytes([body[-1] ^ 1])


def _new_documents(platform: Platform, trust_list: bool = True) -> None:
    """Serials 2 on the platform, so that the documents would be applied but for the fault."""
    import json

    if trust_list:
        _trust_list_serial(platform, 2)
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    platform.authority.publish("policy", sign_json(platform.authority.key, policy | {"serial": 2}))


def _trust_list_serial(platform: Platform, serial: int) -> None:
    import json

    _trust_list(platform.authority, NOW)
    doc = json.loads(open_document(platform.authority.document("trust-list") or b"", platform.keys))
    platform.authority.publish("trust-list", sign_json(platform.authority.key, doc | {"serial": serial}))


FAULTS: dict[str, tuple[SyncError, Callable[[Any], Callable[[str, int, bytes], Any]]]] = {
    "bad signature (trust list)": (SyncError.BAD_SIGNATURE, lambda k: _only("/v1/trust-list", _flip_last)),
    "bad signature (policy)": (SyncError.BAD_SIGNATURE, lambda k: _only("/v1/policy", _flip_last)),
    "bad signature (status page)": (SyncError.BAD_SIGNATURE, lambda k: _only("/v1/status", _flip_last)),
    "signed by an unpinned key": (SyncError.BAD_SIGNATURE, lambda k: _only(
        "/v1/status", lambda b: (200, sign_document(generate_key(), open_document(b, [k.public_key()]))))),
    "gap": (SyncError.GAP, lambda k: _only(
        "/v1/status", lambda b: (200, _resign_page(k, b, lambda p: p.update({"from": p["from"] + 1}))))),
    "truncated body": (SyncError.MALFORMED, lambda k: _only("/v1/status", lambda b: (200, b[: len(b) // 2]))),
    "malformed page (short hid)": (SyncError.MALFORMED, lambda k: _only(
        "/v1/status", lambda b: (200, _resign_page(k, b, lambda p: p["entries"][0].__setitem__(0, b"x" * 15))))),
    "malformed page (seq out of order)": (SyncError.MALFORMED, lambda k: _only(
        "/v1/status", lambda b: (200, _resign_page(k, b, lambda p: p["entries"].reverse())))),
    "malformed page (not CBOR)": (SyncError.MALFORMED, lambda k: _only(
        "/v1/status", lambda b: (200, sign_document(k, b"\xff\x00 not cbor")))),
    # Spec 1.1: the signed time is required, and an entry may not be dated after its page.
    "page without a signed time": (SyncError.MALFORMED, lambda k: _only(
        "/v1/status", lambda b: (200, _resign_page(k, b, lambda p: p.pop("at"))))),
    "entry dated after its page": (SyncError.MALFORMED, lambda k: _only(
        "/v1/status", lambda b: (200, _resign_page(k, b, _date_an_entry_ahead)))),
    "HTTP 304 for a status page": (SyncError.MALFORMED, lambda k: _only("/v1/status", lambda b: (304, b""))),
    "HTTP 500": (SyncError.SERVER_ERROR, lambda k: lambda p, s, b: (500, b"oops")),
    "HTTP 500 on the status only": (SyncError.SERVER_ERROR, lambda k: _only("/v1/status", lambda b: (500, b""))),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_leaves_the_store_exactly_as_before(name: str, platform: Platform, proxy: FaultProxy, store: Store,
                                                  dist_key: Any) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    platform.authority.set_statuses([(os.urandom(16), 2, (103,), NOW) for _ in range(5)])
    if "trust list" in name or "policy" in name:
        _new_documents(platform, trust_list="trust list" in name)
    before = snapshot(store.path)
    code, fault = FAULTS[name]
    proxy.fault = fault(dist_key)
    report = sync(store, proxy.url, platform.token, platform.keys)
    assert report.error == code, report.detail
    assert snapshot(store.path) == before
    proxy.fault = None
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    assert cache_state(store.path) == expected_state(platform.authority)


def test_wrong_token_is_refused_and_changes_nothing(platform: Platform, store: Store) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    platform.authority.set_statuses([(os.urandom(16), 1, (), NOW)])
    before = snapshot(store.path)
    report = sync(store, platform.url, "TY-XD-0001.not-the-token", platform.keys)
    assert report.error == SyncError.AUTH_REFUSED and "refused the token" in report.detail
    assert snapshot(store.path) == before


def test_timeout_on_a_silent_server_changes_nothing(platform: Platform, store: Store, silent_server: str) -> None:
    assert sync(store, platform.url, platform.token, platform.keys).ok
    before = snapshot(store.path)
    report = sync(store, silent_server, platform.token, platform.keys, deadline_s=0.3, attempts=2)
    assert report.error == SyncError.TIMEOUT
    assert snapshot(store.path) == before


@pytest.mark.parametrize("kind", ["trust-list", "policy"])
def test_rollback_is_refused(kind: str, platform: Platform, proxy: FaultProxy, store: Store) -> None:
    old = platform.authority.document(kind)
    _new_documents(platform)
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    assert store.document(kind).serial == 2  # type: ignore[union-attr]
    before = snapshot(store.path)
    # A replayed old document, whatever the platform answered (304 included).
    proxy.fault = lambda path, status, body: (200, old or b"") if path.startswith(f"/v1/{kind}") else None
    report = sync(store, proxy.url, platform.token, platform.keys)
    assert report.error == SyncError.ROLLBACK and "lower than the held 2" in report.detail
    assert snapshot(store.path) == before


def _fail_from_status_call(n: int) -> tuple[list[str], Callable[[str, int, bytes], Any]]:
    seen: list[str] = []

    def fault(path: str, status: int, body: bytes) -> Any:
        if path.startswith("/v1/status"):
            seen.append(path)
            if len(seen) >= n:
                return 500, b""
        return None

    return seen, fault


def test_a_fault_on_a_later_page_keeps_the_pages_before_it(platform: Platform, proxy: FaultProxy,
                                                          store: Store) -> None:
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    first = store.sync_times()
    platform.authority.set_statuses([(os.urandom(16), 2, (103,), NOW) for _ in range(120)])
    _, proxy.fault = _fail_from_status_call(3)
    report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and report.pages == 2
    assert store.cursor() == 104
    assert cache_state(store.path) == expected_state(platform.authority, upto=104)
    assert store.sync_times().local == first.local  # from the first sync: a partial one does not count


def test_an_interrupted_first_sync_resumes_where_it_stopped(platform: Platform, proxy: FaultProxy,
                                                            store: Store) -> None:
    platform.authority.set_statuses([(os.urandom(16), 2, (103,), NOW) for _ in range(120)])
    seen, proxy.fault = _fail_from_status_call(3)
    report = sync(store, proxy.url, platform.token, platform.keys, attempts=1)
    assert report.error == SyncError.SERVER_ERROR and report.pages == 2
    assert store.cursor() == 0 and cache_state(store.path) == {}  # staged, not yet in use
    assert store.resume_point() == 100
    proxy.fault = None
    seen.clear()
    proxy.requests.clear()
    assert sync(store, proxy.url, platform.token, platform.keys).ok
    assert next(r for r in proxy.requests if "/v1/status" in r) == "GET /v1/status?since=100 200"
    assert store.cursor() == 124
    assert cache_state(store.path) == expected_state(platform.authority)
