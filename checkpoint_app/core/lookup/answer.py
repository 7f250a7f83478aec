"""The lookup answer (spec 5.1): accepted only when a pinned distribution key signed it, its
nonce is the one sent, and its `at` is within clock_skew_s of now. Anything else is no answer,
and without an answer there is no decision.

Problems are codes (STYLE rule 8); none of them carries the document number."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from checkpoint_app.core.bounds import MAX_INT
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.codes.cose import parse_sign1, safe_loads
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.errors import CodeError, DocumentError
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.trust.documents import open_document

NONCE_BYTES = 16
MAX_NAME = 64  # a masked name; a longer one is no name the platform would send
_SIX_DIGITS = re.compile(r"[0-9]{6}")


class LookupProblem(StrEnum):
    """Why there is no answer: each leads to cannot_verify and the manual record."""

    NOT_CONFIGURED = "NOT_CONFIGURED"  # no platform, token or pinned key in the data folder
    NOT_HTTPS = "NOT_HTTPS"  # the platform URL is neither https:// nor loopback: never sent
    NETWORK = "NETWORK"
    TIMEOUT = "TIMEOUT"
    RATE_LIMITED = "RATE_LIMITED"  # 429: more lookups than the platform allows per minute
    AUTH_REFUSED = "AUTH_REFUSED"
    SERVER_ERROR = "SERVER_ERROR"
    REJECTED = "REJECTED"  # another 4xx
    BAD_SIGNATURE = "BAD_SIGNATURE"  # not signed by a pinned distribution key
    MALFORMED = "MALFORMED"
    WRONG_NONCE = "WRONG_NONCE"  # an answer to another request (a replay)
    NOT_FRESH = "NOT_FRESH"  # `at` more than clock_skew_s from now


class LookupFailure(Exception):
    def __init__(self, code: LookupProblem, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class LookupAnswer:
    """A verified answer. For `found` false only `at` is set."""

    at: int
    found: bool
    hid: bytes | None = None
    iss: str | None = None
    color: Color | None = None
    reasons: tuple[int, ...] = ()
    effective_at: int | None = None
    name: str | None = None


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def request_body(doc: IdDocument, nonce: bytes) -> dict[str, Any]:
    """The JSON body of `POST /v1/lookup`: the one place the full number leaves memory."""
    return {"doc_type": doc.doc_type, "doc": doc.number, "nonce": nonce.hex()}


def check_answer(body: bytes, keys: Sequence[PublicKey], nonce: bytes, now: int, clock_skew_s: int) -> LookupAnswer:
    """The answer, or LookupFailure: signature, then form, then nonce, then freshness."""
    try:
        payload = open_document(body, keys)
    except DocumentError as exc:
        try:
            parse_sign1(body)
        except CodeError:
            raise LookupFailure(LookupProblem.MALFORMED, str(exc)) from None
        raise LookupFailure(LookupProblem.BAD_SIGNATURE, str(exc)) from None
    answer, got_nonce = parse_payload(payload)
    if got_nonce != nonce:
        raise LookupFailure(LookupProblem.WRONG_NONCE, "the answer is not for this request")
    if abs(now - answer.at) > clock_skew_s:
        raise LookupFailure(LookupProblem.NOT_FRESH, f"the answer's time is {answer.at - now:+d} s from now")
    return answer


def _malformed(why: str) -> LookupFailure:
    return LookupFailure(LookupProblem.MALFORMED, f"lookup answer: {why}")


def _field(obj: dict[Any, Any], key: str, kind: type) -> Any:
    value = obj.get(key)
    if type(value) is not kind:  # `type is`: a bool is no integer here
        raise _malformed(f"{key!r} is missing or not {kind.__name__}")
    if isinstance(value, int) and not 0 <= value <= MAX_INT:
        raise _malformed(f"{key!r} is outside 0 to 2^53-1")
    return value


def parse_payload(payload: bytes) -> tuple[LookupAnswer, bytes]:
    """The answer and its nonce from the CBOR payload; unknown keys are ignored."""
    try:
        obj = safe_loads(payload)
    except ValueError as exc:
        raise _malformed(str(exc)) from None
    if not isinstance(obj, dict) or obj.get("type") != "lookup":
        raise _malformed("not a map of type 'lookup'")
    at, nonce, found = _field(obj, "at", int), _field(obj, "nonce", bytes), _field(obj, "found", bool)
    if len(nonce) != NONCE_BYTES:
        raise _malformed("the nonce is not 16 bytes")
    if not found:
        return LookupAnswer(at, False), nonce
    return _found(obj, at), nonce


def _found(obj: dict[Any, Any], at: int) -> LookupAnswer:
    hid, iss, name = _field(obj, "hid", bytes), _field(obj, "iss", str), _field(obj, "name", str)
    color, effective_at, reasons = _field(obj, "color", int), _field(obj, "effective_at", int), obj.get("reasons")
    if len(hid) != 16:
        raise _malformed("hid is not 16 bytes")
    if not _SIX_DIGITS.fullmatch(iss):
        raise _malformed("iss is not a six-digit region code")
    if color > Color.RED:
        raise _malformed("color is not 0, 1 or 2")
    if not (type(reasons) is list and all(type(r) is int and 0 <= r <= MAX_INT for r in reasons)):
        raise _malformed("reasons are not non-negative integers")
    if len(name) > MAX_NAME:
        raise _malformed(f"name is longer than {MAX_NAME} characters")
    return LookupAnswer(at, True, hid, iss, Color(color), tuple(reasons), effective_at, name)
