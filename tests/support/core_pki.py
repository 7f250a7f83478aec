"""A fresh little PKI for the core tests (issuer and distribution keys, a signed trust
list, the default policy) and helpers to issue codes. No Qt here."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.issuing import issue
from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.checkpoint import Context
from checkpoint_app.core.codes.claims import Color, HealthCode
from checkpoint_app.core.codes.signature import PrivateKey
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import Policy, parse_policy
from checkpoint_app.core.trust.trust_list import TrustList, parse_trust_list
from checkpoint_app.resources import resource

NOW = 1_600_000_000
HID = bytes.fromhex("00112233445566778899aabbccddeeff")


@dataclass
class Pki:
    distribution: PrivateKey
    issuer: PrivateKey  # ES256, iss 140000
    issuer_ed: PrivateKey  # EdDSA, iss 110000
    revoked: PrivateKey  # ES256, iss 140000, revoked
    trust_cose: bytes
    policy_cose: bytes
    trust: TrustList
    policy: Policy

    def code(self, **changes: Any) -> HealthCode:
        base = HealthCode(iss="140000", iat=NOW - 600, exp=NOW + 86400, hid=HID, color=Color.GREEN,
                          reasons=(), name="王*廉", doc="1401**********0913", doc_type=1)
        return replace(base, **changes)

    def issue(self, key: PrivateKey | None = None, **changes: Any) -> str:
        return issue(key or self.issuer, self.code(**changes))

    def context(self, **changes: Any) -> Context:
        return replace(Context(trust=self.trust, policy=self.policy), **changes)


def default_policy_json() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    return doc


def make_pki() -> Pki:
    dist, es, ed, old = generate_key(), generate_key(), generate_key("EdDSA"), generate_key()
    year = 365 * 86400
    issuers = [
        IssuerKey("140000", "山西省", es.public_key(), NOW - year, NOW + year),
        IssuerKey("110000", "北京市", ed.public_key(), NOW - year, NOW + year),
        IssuerKey("140000", "山西省(旧)", old.public_key(), NOW - year, NOW + year, "revoked"),
    ]
    trust_cose = sign_json(dist, trust_list_json(5, NOW - 86400, issuers))
    policy_cose = sign_json(dist, default_policy_json())
    keys = [dist.public_key()]
    return Pki(dist, es, ed, old, trust_cose, policy_cose,
               parse_trust_list(open_document(trust_cose, keys)), parse_policy(open_document(policy_cose, keys)))
