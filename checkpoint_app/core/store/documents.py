"""The signed trust list and policy, kept as the bytes received and verified on every load.

Keeping the signed bytes (not parsed values) means a file edited on disk is refused at
the next start rather than believed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.store.errors import NotSyncedError, StoreError
from checkpoint_app.core.trust.documents import check_serial, open_document
from checkpoint_app.core.trust.policy import Policy, parse_policy
from checkpoint_app.core.trust.trust_list import TrustList, parse_trust_list

KINDS = ("trust-list", "policy")


@dataclass(frozen=True, slots=True)
class StoredDocument:
    kind: str
    serial: int
    body: bytes  # the signed COSE_Sign1 bytes
    etag: str | None = None


def put_document(conn: sqlite3.Connection, doc: StoredDocument, now: int) -> None:
    """Store a verified document; a lower serial than the held one is refused (rollback)."""
    if doc.kind not in KINDS:
        raise StoreError(f"unknown document kind {doc.kind!r}")
    row = conn.execute("SELECT serial FROM documents WHERE kind = ?", (doc.kind,)).fetchone()
    check_serial(doc.kind, doc.serial, None if row is None else row[0])
    conn.execute("INSERT OR REPLACE INTO documents (kind, serial, body, etag, stored_at) VALUES (?, ?, ?, ?, ?)",
                 (doc.kind, doc.serial, doc.body, doc.etag, now))


def load_verified(trust_doc: StoredDocument | None, policy_doc: StoredDocument | None,
                  root_keys: Sequence[PublicKey]) -> tuple[TrustList, Policy]:
    if trust_doc is None or policy_doc is None:
        missing = "trust list" if trust_doc is None else "policy"
        raise NotSyncedError(f"this checkpoint has not synced yet (no {missing} in its data folder): sync first, "
                             "with `checkpoint-app sync --once` or from the USB stick with `sync --from DIR`")
    if not root_keys:
        raise StoreError("no distribution key is pinned: give --root-key or configure one")
    try:
        trust = parse_trust_list(open_document(trust_doc.body, root_keys))
        policy = parse_policy(open_document(policy_doc.body, root_keys))
    except DocumentError as exc:
        raise StoreError(f"a stored document no longer verifies: {exc}") from None
    return trust, policy
