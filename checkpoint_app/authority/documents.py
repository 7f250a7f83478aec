"""Signing trust lists and policies with a distribution key."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checkpoint_app.core.codes.signature import ALG_NAMES, PrivateKey, PublicKey, alg_of, kid_of, spki_der
from checkpoint_app.core.trust.documents import sign_document


@dataclass(frozen=True)
class IssuerKey:
    iss: str
    name: str
    public_key: PublicKey
    not_before: int
    not_after: int
    status: str = "active"


def trust_list_json(serial: int, issued_at: int, issuers: Iterable[IssuerKey]) -> dict[str, Any]:
    return {
        "type": "trust-list",
        "serial": serial,
        "issued_at": issued_at,
        "issuers": [
            {
                "kid": base64.b64encode(kid_of(i.public_key)).decode(),
                "iss": i.iss,
                "name": i.name,
                "alg": ALG_NAMES[alg_of(i.public_key)],
                "public_key": base64.b64encode(spki_der(i.public_key)).decode(),
                "not_before": i.not_before,
                "not_after": i.not_after,
                "status": i.status,
            }
            for i in issuers
        ],
    }


def sign_json(key: PrivateKey, document: dict[str, Any]) -> bytes:
    """A signed JSON document (trust list or policy)."""
    return sign_document(key, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())
