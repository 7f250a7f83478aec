"""Opening the SQLite file: pragmas, the integrity check at start, and recovery.

Recovery path: a file that is not a database, or fails `quick_check`, is moved aside
(`<name>.corrupt-<time>`), a new store is made, and the unsent scan events and the
settings are copied out of the old file as far as they can still be read. The status
cache and the documents are not salvaged: the next sync fetches them again, verified."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from checkpoint_app.core.store.schema import migrate

log = logging.getLogger("checkpoint.store")
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 32 * 1024


def connect(path: Path) -> sqlite3.Connection:
    """A connection owned by the calling thread (sqlite3 enforces it: check_same_thread)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    # Takes effect only on a new file (before its first table): lets a whole-cache build give
    # back the space of its staged rows (Store.apply_status_page).
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a scan event is on disk before record_event returns (spec section 7).
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


def healthy(conn: sqlite3.Connection) -> bool:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    return rows == [("ok",)]


def open_checked(path: Path, *, check: bool) -> tuple[sqlite3.Connection, Path | None]:
    """(connection, where a corrupt file was moved, or None)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = connect(path)
        if check and not healthy(conn):
            conn.close()
            raise sqlite3.DatabaseError("quick_check failed")
        migrate(conn)
        return conn, None
    except sqlite3.DatabaseError as exc:
        log.error("store %s is damaged (%s); moving it aside and starting a new one", path, exc)
    aside = _move_aside(path)
    conn = connect(path)
    migrate(conn)
    _salvage(aside, conn)
    return conn, aside


def _move_aside(path: Path) -> Path:
    aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    path.replace(aside)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(aside.with_name(aside.name + suffix))
    return aside


def _salvage(old: Path, conn: sqlite3.Connection) -> None:
    events = settings = 0
    try:
        src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        try:
            for row in _rows(src, "SELECT event_id, ts, body FROM events NOT INDEXED WHERE sent IS NULL"):
                conn.execute("INSERT OR IGNORE INTO events (event_id, ts, body) VALUES (?, ?, ?)", row)
                events += 1
            for row in _rows(src, "SELECT key, value FROM settings"):
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", row)
                settings += 1
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        log.error("salvage from %s stopped: %s", old, exc)
    log.warning("recovered %d unsent scan events and %d settings from %s", events, settings, old)


def _rows(src: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    """The readable rows of a query on a damaged file (stops at the first unreadable page)."""
    out: list[tuple[object, ...]] = []
    try:
        for row in src.execute(sql):
            out.append(tuple(row))
    except sqlite3.DatabaseError as exc:
        log.error("reading %r from the damaged store stopped: %s", sql.split(" FROM ")[1], exc)
    return out

