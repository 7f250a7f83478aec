"""Spec 5.1, the checkpoint's side without a network: the answer is taken only when a pinned
key signed it, it carries our nonce and a fresh `at`, and it is well formed; a taken answer
is decided by the policy like a code."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.checkpoint import Inputs, Source, decide, decision_json
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.codes.cose import encode_parts, parse_sign1
from checkpoint_app.core.events import Station, event_from_decision
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.lookup.answer import LookupFailure, LookupProblem, check_answer, request_body
from checkpoint_app.core.lookup.client import LookupPlatform, ask, check_url
from checkpoint_app.core.lookup.decide import lookup_context, lookup_scan
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.trust.documents import sign_document
from tests.support.core_pki import HID, NOW, Pki

NONCE = bytes(range(16))
SKEW = 300
DOC = IdDocument(1, "140105199001010913")


def found(**changes: Any) -> dict[str, Any]:
    return {"type": "lookup", "at": NOW, "nonce": NONCE, "found": True, "hid": HID, "iss": "140000",
            "color": 2, "reasons": [103], "effective_at": NOW - 3600, "name": "王*廉"} | changes


def signed(pki: Pki, payload: Any, key: Any = None) -> bytes:
    return sign_document(key or pki.distribution, cbor2.dumps(payload))


def check(pki: Pki, body: bytes, now: int = NOW, nonce: bytes = NONCE) -> Any:
    return check_answer(body, [pki.distribution.public_key()], nonce, now, SKEW)


def problem(pki: Pki, body: bytes, **kw: Any) -> LookupProblem:
    with pytest.raises(LookupFailure) as caught:
        check(pki, body, **kw)
    assert "140105199001010913" not in str(caught.value)
    return caught.value.code


def test_a_good_answer_is_taken(pki: Pki) -> None:
    a = check(pki, signed(pki, found(extra_key="ignored", at=NOW - SKEW)))
    assert (a.found, a.hid, a.iss, a.color, a.reasons, a.effective_at, a.name) == \
        (True, HID, "140000", Color.RED, (103,), NOW - 3600, "王*廉")
    nobody = check(pki, signed(pki, {"type": "lookup", "at": NOW + SKEW, "nonce": NONCE, "found": False}))
    assert not nobody.found and nobody.hid is None


def test_an_answer_to_another_request_is_refused(pki: Pki) -> None:
    assert problem(pki, signed(pki, found()), nonce=bytes(16)) is LookupProblem.WRONG_NONCE
    assert problem(pki, signed(pki, found(nonce=NONCE[::-1]))) is LookupProblem.WRONG_NONCE


@pytest.mark.parametrize("offset", [SKEW + 1, -SKEW - 1, 86400, -86400])
def test_a_stale_or_future_answer_is_refused(pki: Pki, offset: int) -> None:
    assert problem(pki, signed(pki, found(at=NOW + offset))) is LookupProblem.NOT_FRESH


def test_an_answer_signed_by_a_foreign_key_is_refused(pki: Pki) -> None:
    assert problem(pki, signed(pki, found(), key=generate_key())) is LookupProblem.BAD_SIGNATURE
    # The platform's own key over an edited payload (green instead of red).
    genuine = parse_sign1(signed(pki, found()))
    edited = encode_parts(genuine.protected, cbor2.dumps(found(color=0, reasons=[])), genuine.signature)
    assert problem(pki, edited) is LookupProblem.BAD_SIGNATURE
    # An issuer key is no distribution key.
    assert problem(pki, signed(pki, found(), key=pki.issuer)) is LookupProblem.BAD_SIGNATURE


@pytest.mark.parametrize("payload", [
    found(type="status"), {**found(), "type": None}, [1, 2], "lookup", 7,
    found(at=-1), found(at=2**53), found(at=True), found(at="1600000000"),
    found(nonce=NONCE[:15]), found(nonce=NONCE.hex()), found(found=1), found(found=None),
    found(hid=HID[:15]), found(hid=HID.hex()), found(iss="14000"), found(iss=140000),
    found(color=3), found(color=-1), found(color=True), found(reasons=[-1]), found(reasons=[True]),
    found(reasons="103"), found(reasons=None), found(effective_at="x"), found(name=None),
    found(name="王" + "*" * 80), {k: v for k, v in found().items() if k != "hid"},
])
def test_a_malformed_answer_is_refused(pki: Pki, payload: Any) -> None:
    assert problem(pki, signed(pki, payload)) is LookupProblem.MALFORMED


@pytest.mark.parametrize("body", [b"", b"<html>502 Bad Gateway</html>", b"\xd2\x84", cbor2.dumps(found())])
def test_an_answer_that_is_no_signed_document_is_refused(pki: Pki, body: bytes) -> None:
    assert problem(pki, body) is LookupProblem.MALFORMED


def test_a_payload_that_is_no_cbor_is_refused(pki: Pki) -> None:
    assert problem(pki, sign_document(pki.distribution, b"\xff\x00garbage")) is LookupProblem.MALFORMED


@pytest.mark.parametrize("url", ["http://hc.example.gov.cn", "ftp://127.0.0.1", "127.0.0.1:8080",
                                 "http://10.0.0.1:8080", "http://localhost.example.com", "https://"])
def test_the_number_goes_only_over_https_or_loopback(pki: Pki, url: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        ask(LookupPlatform(url, "t", (pki.distribution.public_key(),)), DOC, SKEW)
    assert caught.value.code is LookupProblem.NOT_HTTPS


@pytest.mark.parametrize("url", ["https://hc.example.gov.cn", "http://127.0.0.1:8080", "http://[::1]:1",
                                 "http://localhost:9", "http://127.8.9.10"])
def test_https_and_loopback_are_allowed(url: str) -> None:
    check_url(url)


def test_the_request_body_is_the_spec_s() -> None:
    assert request_body(DOC, NONCE) == {"doc_type": 1, "doc": "140105199001010913", "nonce": NONCE.hex()}
    assert "140105199001010913" not in repr(DOC)


@pytest.mark.parametrize(("color", "reasons", "expected"), [
    (0, [], "measure_temperature"), (1, [201], "home_isolation"), (2, [101], "hospital_transfer"),
    (2, [103], "turn_back_isolation"), (0, [301], "measure_temperature"),
])
def test_a_found_person_is_decided_like_a_code(pki: Pki, color: int, reasons: list[int], expected: str) -> None:
    answer = check(pki, signed(pki, found(color=color, reasons=reasons)))
    d = decide(lookup_scan(answer, DOC, NOW), Inputs(), lookup_context(pki.context()))
    assert d.valid and d.action == expected and d.color == Color(color) and d.reasons == tuple(reasons)
    obj = decision_json(d)
    assert obj["hid"] == HID.hex() and obj["name"] == "王*廉" and obj["doc"] is None and obj["source"] == "id_lookup"
    assert obj["code_color"] == Color(color).label and obj["iat"] is None and obj["kid"] is None


def test_a_found_green_person_passes_after_the_temperature(pki: Pki) -> None:
    answer = check(pki, signed(pki, found(color=0, reasons=[])))
    d = decide(lookup_scan(answer, DOC, NOW), Inputs(36.5, True), lookup_context(pki.context()))
    assert d.action == "pass" and d.allow
    event = event_from_decision(d, Station("CP", "140105-mall-1", "mall"), NOW)
    wire = event.to_wire()
    assert wire["source"] == "id_lookup" and wire["hid"] == HID.hex() and wire["color"] == "green"
    assert "140105199001010913" not in str(wire) and "王" not in str(wire)


def test_not_found_is_an_invalid_code(pki: Pki) -> None:
    answer = check(pki, signed(pki, {"type": "lookup", "at": NOW, "nonce": NONCE, "found": False}))
    d = decide(lookup_scan(answer, DOC, NOW), Inputs(36.5, True), lookup_context(pki.context()))
    assert not d.valid and str(d.error) == "NOT_FOUND" and d.action == "invalid_code" and not d.allow
    assert event_from_decision(d, Station("CP", "v", "mall"), NOW).hid is None


def test_the_answer_is_fresh_whatever_the_cache_says(pki: Pki) -> None:
    """A checkpoint offline for weeks still decides a lookup (the answer is fresh); the cache
    is not consulted (the platform's answer is newer than anything in it); the clock is."""
    stale = pki.context(freshness=Freshness(cache_stale=True, offline_too_long=True, clock_error=False),
                        cache=_Cache(StatusEntry(Color.GREEN, (), NOW)))
    answer = check(pki, signed(pki, found(color=1, reasons=[201])))
    d = decide(lookup_scan(answer, DOC, NOW + 10**6), Inputs(), lookup_context(stale))
    assert d.action == "home_isolation" and d.scan.code_age_s == 0 and not d.freshness.cache_stale
    wrong_clock = pki.context(freshness=Freshness(clock_error=True))
    green = check(pki, signed(pki, found(color=0, reasons=[])))
    assert decide(lookup_scan(green, DOC, NOW), Inputs(36.5), lookup_context(wrong_clock)).action == "cannot_verify"


def test_a_lookup_scan_knows_its_source(pki: Pki) -> None:
    answer = check(pki, signed(pki, found()))
    assert lookup_scan(answer, DOC, NOW).source is Source.ID_LOOKUP
    assert lookup_scan(answer, DOC, NOW).verification.code.doc == "1401**********0913"  # type: ignore[union-attr]


class _Cache:
    def __init__(self, entry: StatusEntry) -> None:
        self.entry = entry

    def lookup(self, hid: bytes) -> StatusEntry | None:
        return self.entry
