"""Checks shared by the online and the folder sync: open, classify, refuse rollbacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.errors import DocumentError, SignatureError
from checkpoint_app.core.status_pages import StatusPage, parse_status_page
from checkpoint_app.core.store import Store, StoredDocument
from checkpoint_app.core.sync.http import SyncError, SyncFailure
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list

PARSERS: dict[str, Callable[[bytes], Any]] = {"trust-list": parse_trust_list, "policy": parse_policy}


def open_signed(body: bytes, root_keys: Sequence[PublicKey], what: str) -> bytes:
    """The payload, or BAD_SIGNATURE (a well-formed COSE_Sign1 that fails) / MALFORMED."""
    from checkpoint_app.core.trust.documents import open_document

    try:
        return open_document(body, root_keys)
    except SignatureError as exc:
        raise SyncFailure(SyncError.BAD_SIGNATURE, f"{what}: {exc}") from None
    except DocumentError as exc:
        raise SyncFailure(SyncError.MALFORMED, f"{what}: {exc}") from None


def check_document(store: Store, kind: str, body: bytes, root_keys: Sequence[PublicKey],
                   etag: str | None) -> StoredDocument | None:
    """The document to store, or None when the held one has the same serial (spec: MAY skip)."""
    payload = open_signed(body, root_keys, kind)
    try:
        serial: int = PARSERS[kind](payload).serial
    except DocumentError as exc:
        raise SyncFailure(SyncError.MALFORMED, f"{kind}: {exc}") from None
    held = store.document(kind)
    if held is not None and serial < held.serial:
        raise SyncFailure(SyncError.ROLLBACK, f"{kind} serial {serial} is lower than the held {held.serial}")
    if held is not None and serial == held.serial:
        return None
    return StoredDocument(kind, serial, body, etag)


def check_page(body: bytes, root_keys: Sequence[PublicKey], since: int, rebuilding: bool, skew_s: int) -> StatusPage:
    payload = open_signed(body, root_keys, "status page")
    try:
        return parse_status_page(payload, since, skew_s=skew_s, rebuilding=rebuilding)
    except DocumentError as exc:
        code = SyncError.GAP if "(gap)" in str(exc) else SyncError.MALFORMED
        raise SyncFailure(code, str(exc)) from None


def store_call(fn: Callable[[], Any], what: str) -> Any:
    """Run a store write; its failures (disk full, damaged file) become a STORE failure."""
    import sqlite3

    from checkpoint_app.core.store import StoreError

    try:
        return fn()
    except (sqlite3.Error, StoreError, DocumentError, OSError) as exc:
        raise SyncFailure(SyncError.STORE, f"{what}: {exc}") from None
