"""The trust list (spec 4.1): which issuer keys verify codes, for which province."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkpoint_app.core.codes.signature import PublicKey, load_public_der
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.trust.documents import load_json_object, positive_int, require, uint

_WHAT = "trust list"


@dataclass(frozen=True, slots=True)
class Issuer:
    kid: bytes
    iss: str
    name: str
    alg: str
    public_key: PublicKey
    not_before: int
    not_after: int
    status: str

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class TrustList:
    serial: int
    issued_at: int
    issuers: Mapping[bytes, Issuer]


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DocumentError(f"{_WHAT}: {what} is not standard base64") from None


def _issuer(entry: Any) -> Issuer:
    if not isinstance(entry, dict):
        raise DocumentError(f"{_WHAT}: an issuer entry is not an object")
    kid = _b64(require(entry, "kid", str, _WHAT), "kid")
    if len(kid) != 8:
        raise DocumentError(f"{_WHAT}: kid {entry['kid']!r} is not 8 bytes")
    status = require(entry, "status", str, _WHAT)
    if status not in ("active", "revoked"):
        raise DocumentError(f"{_WHAT}: status {status!r} is neither active nor revoked")
    try:
        key = load_public_der(_b64(require(entry, "public_key", str, _WHAT), "public_key"))
    except ValueError as exc:
        raise DocumentError(f"{_WHAT}: public key of kid {entry['kid']} unusable: {exc}") from None
    return Issuer(
        kid=kid,
        iss=require(entry, "iss", str, _WHAT),
        name=require(entry, "name", str, _WHAT),
        # An unknown alg is kept: such an entry then verifies nothing (UNSUPPORTED_ALGORITHM).
        alg=require(entry, "alg", str, _WHAT),
        public_key=key,
        not_before=uint(entry, "not_before", _WHAT),
        not_after=uint(entry, "not_after", _WHAT),
        status=status,
    )


def parse_trust_list(payload: bytes) -> TrustList:
    obj = load_json_object(payload, "trust-list")
    entries = require(obj, "issuers", list, _WHAT)
    issuers: dict[bytes, Issuer] = {}
    for entry in entries:
        issuer = _issuer(entry)
        if issuer.kid in issuers:
            raise DocumentError(f"{_WHAT}: kid {issuer.kid.hex()} appears twice")
        issuers[issuer.kid] = issuer
    return TrustList(
        serial=positive_int(obj, "serial", _WHAT),
        issued_at=uint(obj, "issued_at", _WHAT),
        issuers=issuers,
    )
