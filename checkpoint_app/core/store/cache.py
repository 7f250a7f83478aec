"""The status cache (spec 4.3): applying pages, the rebuilds, lookups.

Each page for the live table is applied in one transaction together with its cursor, so a
crash leaves the store at the last page applied whole; a staged page is written in parts
and counts only when its last part moves the stage's own cursor (see STAGE_ROWS).

Small changes go straight into the live table. A whole cache (the first sync, or a
rebuild after a reset) is different: ten million rows arriving in `seq` order hit random
places of a B-tree keyed by hid, and each page would rewrite thousands of 4 KiB pages.
So those pages are appended to `status_stage` in arrival order (cheap, sequential), and
the last page has them built into a new table in one sorted pass (build.py), which then
replaces the live one in a single transaction. Until then the old cache stays in use.
An interrupted first sync resumes from its last staged page; an interrupted rebuild
starts over, as the spec says."""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.status_pages import StatusPage
from checkpoint_app.core.store.errors import StoreError
from checkpoint_app.core.store.packing import pack, unpack

LIVE, SHADOW, STAGE, OLD = "status", "status_new", "status_stage", "status_old"
CURSOR, STAGE_TO, STAGE_KIND = "cursor", "stage_to", "stage_kind"
# The platform time and the log's epoch (spec 4.3): of the live cache, and of the staged pages
# until they replace it (an interrupted rebuild must not make the old cache look fresh).
LAST_AT, EPOCH, STAGE_AT, STAGE_EPOCH = "last_at", "epoch", "stage_at", "stage_epoch"
# A staged page is written in parts (STAGE_PART rows per transaction, so that a scan event
# never waits long for the write lock): STAGE_ROWS is the last row of the last whole page,
# STAGE_WRITER the sync writing the next one, or building the staged cache after the last
# (a second sync that starts staging takes over, and the first one stops at its next part
# or build batch: two builds at once would swap in a table that each filled in part).
STAGE_ROWS, STAGE_WRITER = "stage_rows", "stage_writer"
STAGE_PART = 2_000
FIRST_SYNC, REBUILD = 1, 2
STAGE_DDL = f"CREATE TABLE {STAGE} (hid BLOB NOT NULL, st ANY, at INTEGER)"


def lookup(conn: sqlite3.Connection, hid: bytes) -> StatusEntry | None:
    row = conn.execute("SELECT st, at FROM status WHERE hid = ?", (hid,)).fetchone()
    if row is None:
        return None
    color, reasons = unpack(row[0])
    if type(row[1]) is not int:
        raise StoreError("the status cache holds an entry with a damaged time; no decision is made from it")
    return StatusEntry(color, reasons, row[1])


def get_state(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


def get_bytes(conn: sqlite3.Connection, key: str) -> bytes | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None or not isinstance(row[0], bytes) else row[0]


def set_state(conn: sqlite3.Connection, key: str, value: int | bytes | None) -> None:
    if value is None:
        conn.execute("DELETE FROM state WHERE key = ?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))


Row = tuple[bytes, "int | bytes | None", int]


@dataclass(frozen=True)
class Prepared:
    """A page's rows, made before its transaction (the write lock is held for SQL only)."""

    staged: bool  # where the page goes: the stage (True) or the live table
    removals: list[tuple[bytes]]
    rows: list[Row]


def prepare(conn: sqlite3.Connection, page: StatusPage) -> Prepared:
    """The page's rows for where it goes now; apply_page checks again that it still does."""
    if _staged(conn, page):
        # A removal is staged as a null value: it must still hide an earlier row of the same hid.
        return Prepared(True, [], [(hid, pack(c, r) if c or r else None, at) for hid, c, r, at, _ in page.entries])
    # Only the last entry per hid in a page matters; deduplicating first lets deletes and
    # upserts run as two batches without breaking the in-order semantics.
    last = {entry[0]: entry for entry in page.entries}
    removals = [(hid,) for hid, color, reasons, _, _ in last.values() if not color and not reasons]
    rows: list[Row] = [(hid, pack(color, reasons), at) for hid, color, reasons, at, _ in last.values()
                       if color or reasons]
    # In key order, neighbouring rows share B-tree pages: far fewer page visits at 10 million rows.
    removals.sort()
    rows.sort()
    return Prepared(False, removals, rows)


def _staged(conn: sqlite3.Connection, page: StatusPage) -> bool:
    return page.reset or get_state(conn, STAGE_TO) is not None or (
        (get_state(conn, CURSOR) or 0) == 0 and _live_empty(conn))


def _write(conn: sqlite3.Connection, table: str, prepared: Prepared) -> None:
    conn.executemany(f"DELETE FROM {table} WHERE hid = ?", prepared.removals)
    conn.executemany(f"INSERT OR REPLACE INTO {table} (hid, st, at) VALUES (?, ?, ?)", prepared.rows)


_pages_applied = 0


def _test_hook() -> None:
    """Lets the crash test stop a process in the middle of a page's transaction: with
    CHECKPOINT_TEST_APPLY_MARKER set, each page appends a line to that file, and page number
    CHECKPOINT_TEST_SLOW_PAGE sleeps there (CHECKPOINT_TEST_SLOW_S seconds, default 60), its
    rows written but not committed."""
    global _pages_applied
    marker = os.environ.get("CHECKPOINT_TEST_APPLY_MARKER")
    if not marker:
        return
    _pages_applied += 1
    with Path(marker).open("a") as f:
        f.write(f"page {_pages_applied}\n")
    if str(_pages_applied) == os.environ.get("CHECKPOINT_TEST_SLOW_PAGE"):
        time.sleep(float(os.environ.get("CHECKPOINT_TEST_SLOW_S", "60")))


def resume_point(conn: sqlite3.Connection) -> int:
    """The `since` of the next request: after the staged pages of an unfinished first sync."""
    if get_state(conn, STAGE_KIND) == FIRST_SYNC:
        return get_state(conn, STAGE_TO) or 0
    return get_state(conn, CURSOR) or 0


def expected_epoch(conn: sqlite3.Connection) -> bytes | None:
    """The epoch the next page must carry: the staged first sync's, else the live cache's
    (None: take the next page's)."""
    if get_state(conn, STAGE_KIND) == FIRST_SYNC:
        return get_bytes(conn, STAGE_EPOCH)
    return get_bytes(conn, EPOCH)


def _start_stage(conn: sqlite3.Connection, kind: int, page: StatusPage) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {SHADOW}")
    conn.execute(f"DROP TABLE IF EXISTS {STAGE}")
    conn.execute(STAGE_DDL)
    set_state(conn, STAGE_ROWS, 0)
    set_state(conn, STAGE_KIND, kind)
    set_state(conn, STAGE_EPOCH, page.epoch)
    set_state(conn, STAGE_AT, None)


def _same_epoch(conn: sqlite3.Connection, key: str, page: StatusPage) -> None:
    held = get_bytes(conn, key)
    if held is not None and held != page.epoch:
        raise StoreError(f"status page of epoch {page.epoch.hex()}, not the held {held.hex()}")


def _raise_at(conn: sqlite3.Connection, key: str, page: StatusPage) -> None:
    """Only the last page of a chain (`more` false) says that the cache was complete at its `at`:
    a full page was signed when more of the log existed. And times only move forward: a
    replayed old page does not make the data look older or newer."""
    held = get_state(conn, key)
    if not page.more and (held is None or page.at > held):
        set_state(conn, key, page.at)


def _claim_stage(conn: sqlite3.Connection, writer: bytes) -> None:
    """This sync writes the next staged page: rows that a page broken off before its end
    left behind (a crash, a sync that was taken over) go first."""
    done = get_state(conn, STAGE_ROWS)
    if done is None:  # staged by a version that wrote whole pages only: all of it counts
        done = conn.execute(f"SELECT max(rowid) FROM {STAGE}").fetchone()[0] or 0
        set_state(conn, STAGE_ROWS, done)
    conn.execute(f"DELETE FROM {STAGE} WHERE rowid > ?", (done,))
    set_state(conn, STAGE_WRITER, writer)


def check_writer(conn: sqlite3.Connection, writer: bytes) -> None:
    """StoreError unless `writer` still owns the stage (call inside each of its transactions)."""
    if get_bytes(conn, STAGE_WRITER) != writer:
        raise StoreError("another sync took over the status pages being staged; this one stops")


def stage_part(conn: sqlite3.Connection, writer: bytes, rows: list[Row]) -> None:
    """Some of a staged page's rows (call inside a transaction, after apply_page)."""
    check_writer(conn, writer)
    conn.executemany(f"INSERT INTO {STAGE} (hid, st, at) VALUES (?, ?, ?)", rows)


def finish_staged_page(conn: sqlite3.Connection, page: StatusPage, writer: bytes) -> bool:
    """The staged page is whole: the next request starts after it. True when it completed a
    staged cache, which the caller then builds (build.py), still as the stage's writer."""
    check_writer(conn, writer)
    _test_hook()
    set_state(conn, STAGE_ROWS, conn.execute(f"SELECT max(rowid) FROM {STAGE}").fetchone()[0] or 0)
    set_state(conn, STAGE_WRITER, None if page.more else writer)
    set_state(conn, STAGE_TO, page.to)
    _raise_at(conn, STAGE_AT, page)
    return not page.more


def _live_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute(f"SELECT 1 FROM {LIVE} LIMIT 1").fetchone() is None


def apply_page(conn: sqlite3.Connection, page: StatusPage, prepared: Prepared, writer: bytes) -> bool:
    """Apply one verified page (call inside a transaction). A page for the live table is
    applied whole, with its cursor: False. A page for the stage is checked and the stage
    claimed for `writer`: True, and the caller writes its rows in parts (stage_part) and
    then finish_staged_page."""
    if _staged(conn, page) != prepared.staged:
        raise StoreError("the status cache changed while this page was prepared (another sync?)")
    stage_to = get_state(conn, STAGE_TO)
    cursor = get_state(conn, CURSOR) or 0
    if page.reset:
        _start_stage(conn, REBUILD, page)
    elif stage_to is not None:
        if page.since != stage_to:
            raise StoreError(f"status page starts at {page.since}, not at the staged {stage_to}")
        _same_epoch(conn, STAGE_EPOCH, page)
    elif page.since != cursor:
        raise StoreError(f"status page starts at {page.since}, not at the cursor {cursor}")
    elif cursor == 0 and _live_empty(conn):
        _start_stage(conn, FIRST_SYNC, page)
    else:
        _same_epoch(conn, EPOCH, page)
        _write(conn, LIVE, prepared)
        _test_hook()
        set_state(conn, CURSOR, page.to)
        set_state(conn, EPOCH, page.epoch)
        _raise_at(conn, LAST_AT, page)
        return False
    _claim_stage(conn, writer)
    return True


def swap(conn: sqlite3.Connection, cursor: int) -> None:
    """Put the built table in use, with its cursor (call inside a transaction). The old
    table and the staged rows are left as garbage: dropping ten million rows here would
    hold the write lock for seconds (see build.clear_table)."""
    conn.execute(f"DROP TABLE IF EXISTS {OLD}")
    conn.execute(f"ALTER TABLE {LIVE} RENAME TO {OLD}")
    conn.execute(f"ALTER TABLE {SHADOW} RENAME TO {LIVE}")
    set_state(conn, EPOCH, get_bytes(conn, STAGE_EPOCH))
    staged_at, held_at = get_state(conn, STAGE_AT), get_state(conn, LAST_AT)
    if staged_at is not None and (held_at is None or staged_at > held_at):
        set_state(conn, LAST_AT, staged_at)
    _clear_stage(conn)
    set_state(conn, CURSOR, cursor)


def _clear_stage(conn: sqlite3.Connection) -> None:
    for key in (STAGE_TO, STAGE_KIND, STAGE_AT, STAGE_EPOCH, STAGE_ROWS, STAGE_WRITER):
        set_state(conn, key, None)


def abandon_rebuild(conn: sqlite3.Connection, *, keep_first_sync: bool = False) -> bool:
    """Forget an unfinished rebuild (the old cache stays in use); True if there was one.
    With keep_first_sync, the staged pages of a first sync are kept to resume from.
    The staged tables become garbage, cleared in small steps by the caller."""
    kind = get_state(conn, STAGE_KIND)
    if kind is None or (keep_first_sync and kind == FIRST_SYNC):
        return False
    _clear_stage(conn)
    return True


def garbage(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, key column) of the tables no longer in use: the table a build replaced, and
    the staging tables when no staging is under way."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    idle = get_state(conn, STAGE_KIND) is None
    candidates = [(OLD, "hid", True), (SHADOW, "hid", idle), (STAGE, "rowid", idle)]
    return [(table, key) for table, key, unused in candidates if unused and table in names]


def count(conn: sqlite3.Connection) -> int:
    n: int = conn.execute("SELECT count(*) FROM status").fetchone()[0]
    return n
