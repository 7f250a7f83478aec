"""Versioned migrations of the store (PRAGMA user_version counts the applied ones).

The status cache is the big table (10 million rows): a 16-byte hid as the key of a
WITHOUT ROWID table keeps each row to the key plus two small values, with no rowid
index beside it (see packing.py for the value)."""

from __future__ import annotations

import sqlite3

from checkpoint_app.core.store.errors import StoreError

STATUS_DDL = "CREATE TABLE {name} (hid BLOB PRIMARY KEY, st ANY NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        STATUS_DDL.format(name="status"),
        # Signed bytes exactly as received: re-verified against the pinned keys on every load.
        "CREATE TABLE documents (kind TEXT PRIMARY KEY, serial INTEGER NOT NULL, body BLOB NOT NULL,"
        " etag TEXT, stored_at INTEGER NOT NULL)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        # Scan records: `sent` is null while the event waits in the outbox.
        "CREATE TABLE events (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL,"
        " sent INTEGER)",
        "CREATE INDEX events_ts ON events (ts)",
        "CREATE INDEX events_outbox ON events (ts) WHERE sent IS NULL",
    ),
    (
        # Why a record is not (or no longer) in the upload queue although it was never taken:
        # the platform's reason when it rejected it (`sent` set: it has left the queue), or
        # the damage when the row itself cannot be read (`sent` null: kept, set apart).
        "ALTER TABLE events ADD COLUMN fault TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to SCHEMA_VERSION in one transaction; returns the old version. Only
    a file older than the program takes the write lock (opening never does otherwise)."""
    version = _version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"the store has schema {version}, newer than this program's {SCHEMA_VERSION}; "
                         "update the program")
    if version == SCHEMA_VERSION:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated it meanwhile.
        for number in range(_version(conn), SCHEMA_VERSION):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return version


def _version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version
