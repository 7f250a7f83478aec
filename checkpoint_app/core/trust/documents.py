"""Spec section 4: a document is a COSE_Sign1 signed with ES256 by a pinned
distribution key; anything else is refused whole."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from checkpoint_app.core.bounds import MAX_INT
from checkpoint_app.core.codes.cose import encode_sign1, parse_sign1
from checkpoint_app.core.codes.signature import ES256, PrivateKey, PublicKey, kid_of, verify
from checkpoint_app.core.errors import CodeError, DocumentError, SignatureError

MEDIA_TYPE = "application/cose"


def open_document(data: bytes, pinned: Sequence[PublicKey]) -> bytes:
    """The verified payload of a signed document, or DocumentError (SignatureError when the
    structure is sound but the key or the signature is not)."""
    try:
        sign1 = parse_sign1(data)
    except CodeError as exc:
        raise DocumentError(f"not a COSE_Sign1 document ({exc.detail or exc.code})") from None
    if sign1.alg != ES256:
        raise SignatureError("document is not signed with ES256")
    key = next((k for k in pinned if kid_of(k) == sign1.kid), None)
    if key is None:
        raise SignatureError(f"document signed by key {sign1.kid.hex()}, not a pinned distribution key")
    if not verify(ES256, key, sign1.to_be_signed(), sign1.signature):
        raise SignatureError("document signature does not verify")
    return sign1.payload


def sign_document(key: PrivateKey, payload: bytes) -> bytes:
    return encode_sign1(key, payload)


def _integer(text: str) -> int:
    # The digits are counted first: int() of a 5,000-digit literal raises a plain ValueError.
    if len(text.lstrip("-")) <= len(str(MAX_INT)) and abs(value := int(text)) <= MAX_INT:
        return value
    raise DocumentError(f"integer {text[:24]}{'...' if len(text) > 24 else ''} is outside ±(2^53 - 1)")


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise DocumentError(f"number {text[:24]} is not finite")
    return value


def _constant(text: str) -> Any:
    raise DocumentError(f"{text} is not JSON")


def load_json_object(payload: bytes, doc_type: str) -> dict[str, Any]:
    """Decode a JSON document payload and check its `type`. Every integer is within
    +-(2^53 - 1) (spec 4.4; the fields that cannot be negative say so themselves), every
    number finite; nesting deeper than Python's recursion limit is refused too."""
    try:
        obj = json.loads(payload.decode("utf-8"), parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{doc_type} is not UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise DocumentError(f"{doc_type} is nested too deeply") from None
    except DocumentError as exc:
        raise DocumentError(f"{doc_type}: {exc}") from None
    if not isinstance(obj, dict) or obj.get("type") != doc_type:
        raise DocumentError(f"document is not a {doc_type}")
    return obj


def check_serial(doc_type: str, new: int, held: int | None) -> None:
    """Refuse a rollback: a serial lower than the one held (spec 4.1, 4.2)."""
    if held is not None and new < held:
        raise DocumentError(f"{doc_type} serial {new} is lower than the held {held} (rollback)")


def require(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """obj[key] if present with the right type (bools are not numbers), else DocumentError."""
    value = obj.get(key)
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        value = None
    if not isinstance(value, kind):
        raise DocumentError(f"{what}: field {key!r} is missing or of the wrong type")
    return value


def positive_int(obj: dict[str, Any], key: str, what: str) -> int:
    value: int = require(obj, key, int, what)
    if value <= 0:
        raise DocumentError(f"{what}: {key!r} must be positive")
    return value


def uint(obj: dict[str, Any], key: str, what: str) -> int:
    """An integer field in 0..2^53-1 (times, seconds): spec 4.4."""
    value: int = require(obj, key, int, what)
    if value < 0:
        raise DocumentError(f"{what}: {key!r} is negative")
    return value
