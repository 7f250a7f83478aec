"""Spec 4.1/4.2: signed documents, the trust list and the policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.trust.documents import check_serial, open_document
from checkpoint_app.core.trust.policy import Policy, parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list
from tests.support.core_pki import NOW, Pki, default_policy_json
from tests.support.jkm_forge import sign1


def test_open_document_needs_a_pinned_key(pki: Pki) -> None:
    pinned = [pki.distribution.public_key()]
    assert json.loads(open_document(pki.policy_cose, pinned))["type"] == "policy"
    with pytest.raises(DocumentError, match="not a pinned"):
        open_document(pki.policy_cose, [generate_key().public_key()])
    # Several pinned keys: any of them may have signed (key rotation).
    assert open_document(pki.policy_cose, [generate_key().public_key(), *pinned])


def test_tampered_or_wrongly_signed_documents_are_refused(pki: Pki) -> None:
    pinned = [pki.distribution.public_key()]
    tag = cbor2.loads(pki.policy_cose)
    protected, _, payload, signature = tag.value
    tampered = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload.replace(b"37.3", b"39.9"), signature]))
    with pytest.raises(DocumentError, match="does not verify"):
        open_document(tampered, pinned)
    eddsa = sign1(generate_key("EdDSA"), payload)
    with pytest.raises(DocumentError, match="ES256"):
        open_document(eddsa, pinned)
    for junk in (b"", b"\xa0", b"not cbor at all", payload):
        with pytest.raises(DocumentError):
            open_document(junk, pinned)


def test_trust_list_fields(pki: Pki) -> None:
    assert pki.trust.serial == 5
    assert {i.iss for i in pki.trust.issuers.values()} == {"140000", "110000"}
    assert [i.active for i in pki.trust.issuers.values()].count(False) == 1


def _trust_doc(pki: Pki) -> dict[str, Any]:
    return trust_list_json(3, NOW, [IssuerKey("140000", "山西省", pki.issuer.public_key(), NOW - 10, NOW + 10)])


@pytest.mark.parametrize(("mutate", "why"), [
    (lambda d: d["issuers"].append(dict(d["issuers"][0])), "twice"),
    (lambda d: d.update(type="policy"), "not a trust-list"),
    (lambda d: d.update(serial=0), "positive"),
    (lambda d: d.update(serial="3"), "serial"),
    (lambda d: d["issuers"][0].update(kid="!!"), "base64"),
    (lambda d: d["issuers"][0].update(kid="AAAA"), "8 bytes"),
    (lambda d: d["issuers"][0].update(public_key="AAAA"), "public key"),
    (lambda d: d["issuers"][0].update(status="suspended"), "status"),
    (lambda d: d["issuers"][0].pop("not_after"), "not_after"),
    (lambda d: d.update(issuers={}), "issuers"),
])
def test_broken_trust_lists_are_refused(pki: Pki, mutate: Callable[[dict[str, Any]], None], why: str) -> None:
    doc = _trust_doc(pki)
    mutate(doc)
    with pytest.raises(DocumentError, match=why):
        parse_trust_list(json.dumps(doc).encode())


def test_trust_list_not_json(pki: Pki) -> None:
    for payload in (b"\xff\xfe", b"[1,2]", b"{"):
        with pytest.raises(DocumentError):
            parse_trust_list(payload)


def test_rollback_guard() -> None:
    check_serial("policy", 7, None)
    check_serial("policy", 7, 7)  # equal: may be skipped, never refused
    check_serial("policy", 8, 7)
    with pytest.raises(DocumentError, match="rollback"):
        check_serial("policy", 6, 7)


def test_default_policy_matches_spec_section_6(pki: Pki) -> None:
    p: Policy = pki.policy
    assert [r.then for r in p.rules] == ["invalid_code", "hospital_transfer", "turn_back_isolation", "home_isolation",
                                         "cannot_verify", "measure_temperature", "fever_referral", "wear_mask", "pass"]
    assert {a.id for a in p.actions.values() if a.allow} == {"pass"}
    assert {a.id for a in p.actions.values() if a.pending} == {"measure_temperature", "wear_mask"}
    assert (p.clock_skew_s, p.max_code_age_s, p.max_cache_age_s, p.max_offline_s) == (300, 86400, 86400, 604800)
    assert (p.fever_threshold_c, p.temperature_min_c, p.temperature_max_c) == (37.3, 34.0, 43.0)


@pytest.mark.parametrize(("changes", "why"), [
    ({"rules": [{"id": "x", "if": True, "then": "open_sesame"}]}, "unknown action"),
    ({"rules": [{"id": "x", "if": {"==": [1, 1]}, "then": "pass"}]}, "last rule"),
    ({"rules": []}, "last rule"),
    ({"rules": [{"id": "x", "if": {"+": [1, 1]}, "then": "pass"}, {"id": "y", "if": True, "then": "pass"}]},
     "not allowed"),
    ({"rules": [{"id": "x", "if": {"var": "name"}, "then": "pass"}, {"id": "y", "if": True, "then": "pass"}]},
     "unknown fact"),
    ({"actions": {"pass": {"zh": "准予通行", "en": "Entry permitted", "allow": "yes"}}}, "allow"),
    ({"temperature_min_c": 43.0, "temperature_max_c": 34.0}, "below"),
    ({"max_code_age_s": -1}, "negative"),
    ({"fever_threshold_c": "37.3"}, "fever_threshold_c"),
    ({"serial": -7}, "positive"),
    ({"type": "trust-list"}, "not a policy"),
])
def test_broken_policies_are_refused(changes: dict[str, Any], why: str) -> None:
    doc = default_policy_json() | changes
    with pytest.raises(DocumentError, match=why):
        parse_policy(json.dumps(doc).encode())


def test_a_signed_policy_with_unknown_action_is_refused_whole(pki: Pki) -> None:
    doc = default_policy_json()
    doc["rules"][0]["then"] = "let_everyone_in"
    with pytest.raises(DocumentError, match="unknown action"):
        parse_policy(open_document(sign_json(pki.distribution, doc), [pki.distribution.public_key()]))
