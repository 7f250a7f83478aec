"""The status cache (spec 4.3): applying pages, the shadow rebuild after a reset, lookups.

Each page is applied in one transaction together with the cursor, so a crash leaves
the cache at the last page applied whole. A reset rebuilds into `status_new`; the live
table is replaced only in the transaction of the rebuild's last page."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.store.errors import StoreError
from checkpoint_app.core.store.packing import pack, unpack
from checkpoint_app.core.store.schema import STATUS_DDL
from checkpoint_app.core.sync.pages import Entry, StatusPage

LIVE, SHADOW = "status", "status_new"
CURSOR, REBUILD_TO = "cursor", "rebuild_to"


def lookup(conn: sqlite3.Connection, hid: bytes) -> StatusEntry | None:
    row = conn.execute("SELECT st, at FROM status WHERE hid = ?", (hid,)).fetchone()
    if row is None:
        return None
    color, reasons = unpack(row[0])
    return StatusEntry(color, reasons, row[1])


def get_state(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


def set_state(conn: sqlite3.Connection, key: str, value: int | None) -> None:
    if value is None:
        conn.execute("DELETE FROM state WHERE key = ?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))


def _write(conn: sqlite3.Connection, table: str, entries: tuple[Entry, ...]) -> None:
    # Only the last entry per hid in a page matters; deduplicating first lets deletes and
    # upserts run as two batches without breaking the in-order semantics.
    last = {entry[0]: entry for entry in entries}
    removals = [(hid,) for hid, color, reasons, _, _ in last.values() if not color and not reasons]
    rows = [(hid, pack(color, reasons), at) for hid, color, reasons, at, _ in last.values() if color or reasons]
    # In key order, neighbouring rows share B-tree pages: far fewer page visits at 10 million rows.
    removals.sort()
    rows.sort()
    conn.executemany(f"DELETE FROM {table} WHERE hid = ?", removals)
    conn.executemany(f"INSERT OR REPLACE INTO {table} (hid, st, at) VALUES (?, ?, ?)", rows)


_pages_applied = 0


def _test_hook() -> None:
    """Lets the crash test stop a process in the middle of a page's transaction: with
    CHECKPOINT_TEST_APPLY_MARKER set, each page appends a line to that file, and page number
    CHECKPOINT_TEST_SLOW_PAGE sleeps there, its rows written but not committed."""
    global _pages_applied
    marker = os.environ.get("CHECKPOINT_TEST_APPLY_MARKER")
    if not marker:
        return
    _pages_applied += 1
    with Path(marker).open("a") as f:
        f.write(f"page {_pages_applied}\n")
    if str(_pages_applied) == os.environ.get("CHECKPOINT_TEST_SLOW_PAGE"):
        time.sleep(60)


def apply_page(conn: sqlite3.Connection, page: StatusPage) -> None:
    """Apply one verified page whole (call inside a transaction)."""
    rebuild_to = get_state(conn, REBUILD_TO)
    if page.reset:
        conn.execute(f"DROP TABLE IF EXISTS {SHADOW}")
        conn.execute(STATUS_DDL.format(name=SHADOW))
        table = SHADOW
    elif rebuild_to is not None:
        if page.since != rebuild_to:
            raise StoreError(f"rebuild page starts at {page.since}, not at {rebuild_to}")
        table = SHADOW
    else:
        cursor = get_state(conn, CURSOR) or 0
        if page.since != cursor:
            raise StoreError(f"status page starts at {page.since}, not at the cursor {cursor}")
        table = LIVE
    _write(conn, table, page.entries)
    _test_hook()
    if table == LIVE:
        set_state(conn, CURSOR, page.to)
    elif page.more:
        set_state(conn, REBUILD_TO, page.to)
    else:
        _swap(conn, page.to)


def _swap(conn: sqlite3.Connection, cursor: int) -> None:
    conn.execute(f"DROP TABLE {LIVE}")
    conn.execute(f"ALTER TABLE {SHADOW} RENAME TO {LIVE}")
    set_state(conn, REBUILD_TO, None)
    set_state(conn, CURSOR, cursor)


def abandon_rebuild(conn: sqlite3.Connection) -> bool:
    """Forget an unfinished rebuild; the old cache stays in use. True if there was one."""
    had = get_state(conn, REBUILD_TO) is not None
    conn.execute(f"DROP TABLE IF EXISTS {SHADOW}")
    set_state(conn, REBUILD_TO, None)
    return had


def count(conn: sqlite3.Connection) -> int:
    n: int = conn.execute("SELECT count(*) FROM status").fetchone()[0]
    return n
