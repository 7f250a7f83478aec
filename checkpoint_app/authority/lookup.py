"""Lookup by identity document (spec 5.1), the platform's side.

The platform answers for the people it registered when it issued their codes or set their
status: a keyed hash of the document (`doc_key`, the hid secret in a domain of its own) leads
to their hid, masked name and province; the colour is the status log's, as a checkpoint's
cache would have it. The document number itself is checked, hashed and dropped: it is never
stored, logged, or put in an error message.

The rate limit counts rows of the `lookups` table, which is also the log the spec asks for
(checkpoint and time per lookup). The count and the insert are one transaction that holds
the checkpoint's row: SQLite's write lock or PostgreSQL's row lock makes every worker
process of the server wait its turn, so the limit holds however many processes serve."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import cbor2
from sqlalchemy import Engine, func, select

from checkpoint_app.authority.db import checkpoints, identities, lookups, status_log
from checkpoint_app.core.identity import IdDocument, normalize

LOOKUPS_PER_MINUTE = 30  # spec 5.1: per checkpoint
WINDOW_S = 60
NONCE_BYTES = 16
MAX_BODY_BYTES = 1024  # {"doc_type": 1, "doc": 18 characters, "nonce": 32 hex digits} is under 100
_DOMAIN = b"checkpoint-app lookup doc_key v1\x00"  # never the hid's input, so a doc_key is no hid


class BadLookup(ValueError):
    """The request is malformed (400). The message never holds the document number."""


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"more than the allowed lookups per minute; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class LookupRequest:
    doc: IdDocument
    nonce: bytes


def doc_key(secret: bytes, doc: IdDocument) -> bytes:
    """The keyed hash that finds a person by document; without the secret it says nothing."""
    return hmac.new(secret, _DOMAIN + bytes([doc.doc_type]) + doc.number.encode(), hashlib.sha256).digest()


def document(doc_type: Any, number: Any) -> IdDocument:
    """An IdDocument from request values (a wrong check digit is refused here); BadLookup else."""
    if type(doc_type) is not int:
        raise BadLookup("doc_type is not an integer 1-5")
    if not isinstance(number, str) or len(number) > 64:
        raise BadLookup("doc is not a document number")
    try:
        return IdDocument(doc_type, normalize(number))
    except ValueError as exc:  # the message names the problem (ID_CHECK_DIGIT...), never the number
        raise BadLookup(f"doc: {exc}") from None


def parse_request(body: Any) -> LookupRequest:
    if not isinstance(body, dict):
        raise BadLookup('the body is not a JSON object {"doc_type", "doc", "nonce"}')
    nonce = body.get("nonce")
    try:
        raw = bytes.fromhex(nonce) if isinstance(nonce, str) and len(nonce) == 2 * NONCE_BYTES else b""
    except ValueError:
        raw = b""
    if len(raw) != NONCE_BYTES:
        raise BadLookup("nonce is not 16 bytes as 32 hex digits")
    return LookupRequest(document(body.get("doc_type"), body.get("doc")), raw)


def register(engine: Engine, secret: bytes, doc: IdDocument, hid: bytes, name: str, iss: str, now: int) -> None:
    """Let lookups find this person (again, with a new hid, name or province)."""
    if len(hid) != 16 or not (len(iss) == 6 and iss.isdigit()) or len(name) > 64:
        raise ValueError("a registered person needs a 16-byte hid, a six-digit iss and a masked name")
    key = doc_key(secret, doc)
    with engine.begin() as conn:
        conn.execute(identities.delete().where(identities.c.doc_key == key))
        conn.execute(identities.insert().values(doc_key=key, hid=hid, name=name, iss=iss, registered_at=now))


def admit(engine: Engine, checkpoint_id: str, now: int, limit: int = LOOKUPS_PER_MINUTE) -> None:
    """Log one lookup for the checkpoint, or raise RateLimited (nothing logged) beyond `limit`
    in the last minute. Insert first: on SQLite that takes the write lock before the count."""
    since = now - WINDOW_S
    with engine.begin() as conn:
        conn.execute(lookups.insert().values(checkpoint_id=checkpoint_id, at=now))
        conn.execute(select(checkpoints.c.checkpoint_id)
                     .where(checkpoints.c.checkpoint_id == checkpoint_id).with_for_update())
        recent = (lookups.c.checkpoint_id == checkpoint_id, lookups.c.at > since)
        n, oldest = conn.execute(select(func.count(), func.min(lookups.c.at)).where(*recent)).one()
        if n > limit:
            raise RateLimited(max(1, int(oldest) - since))  # leaving the block rolls the insert back


def answer(engine: Engine, secret: bytes, request: LookupRequest, now: int) -> dict[str, Any]:
    """The payload of spec 5.1 for this request."""
    head = {"type": "lookup", "at": now, "nonce": request.nonce}
    with engine.connect() as conn:
        person = conn.execute(select(identities).where(identities.c.doc_key == doc_key(secret, request.doc))).first()
        if person is None:
            return {**head, "found": False}
        # The newest entry in effect now: a change dated later has not happened yet.
        entry = conn.execute(select(status_log.c.color, status_log.c.reasons, status_log.c.effective_at)
                             .where(status_log.c.hid == person.hid, status_log.c.effective_at <= now)
                             .order_by(status_log.c.seq.desc()).limit(1)).first()
    color, reasons, effective_at = (0, "", person.registered_at) if entry is None else entry
    return {**head, "found": True, "hid": bytes(person.hid), "iss": person.iss, "color": int(color),
            "reasons": [int(r) for r in reasons.split(",")] if reasons else [],
            "effective_at": int(effective_at), "name": person.name}


def encode(payload: dict[str, Any]) -> bytes:
    return cbor2.dumps(payload)
