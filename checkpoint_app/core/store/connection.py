"""Opening the SQLite file: pragmas, the integrity check at start, and recovery.

Opening takes no write lock: a store that another process holds (a sync in a long
transaction, or stopped with Ctrl-Z) opens and reads at once, and only a write waits,
up to the busy timeout, then fails as "locked". The write-locking pragmas run only on a
new file, and migrations only when the file is older than this program.

Only SQLite's own integrity check (`quick_check`, when the caller asks for it) may move
a store aside: when it reports corruption, the file goes to a name that no other file
has (`<name>.corrupt-<time>-<n>`), a new store is made, and the scan records and the
settings are copied out of the old file as far as they can still be read. The status
cache and the documents are not salvaged: the next sync fetches them again, verified.
Any other failure (locked, disk full, read-only, not a database, I/O error) leaves the
file where it is and raises StoreUnavailable with one line."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from checkpoint_app.core.store.errors import StoreUnavailable, describe
from checkpoint_app.core.store.files import SIDE_FILES, prepare
from checkpoint_app.core.store.schema import migrate

log = logging.getLogger("checkpoint.store")
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 32 * 1024
# How often a writer asks again for the write lock, and how long a bulk writer (the sync's
# build and clean-up) steps aside after each of its short transactions.
POLL_S, YIELD_S = 0.001, 0.002
# WAL pages after which a commit copies the WAL back into the file (SQLite's automatic
# checkpoint, run by the committing connection after its commit): SQLite's default, and a
# small one while a sync applies pages, so that its pages reach the disk a little at a
# time in its own thread, and neither a scan event's fsync (synchronous=FULL flushes the
# WAL) nor its commit (which would run the checkpoint past the default) pays for them.
WAL_AUTOCHECKPOINT, SYNC_AUTOCHECKPOINT = 1000, 128


def connect(path: Path) -> sqlite3.Connection:
    """A connection owned by the calling thread (sqlite3 enforces it: check_same_thread)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # A new file: both need the write lock, once. auto_vacuum first (it takes effect
            # only before the first table, and not after the switch to WAL): it lets a
            # whole-cache build give back the space of its staged rows (Store._tidy).
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a scan event is on disk before record_event returns (spec section 7).
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except BaseException:
        conn.close()
        raise
    return conn


def begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, asked again every millisecond while another connection writes, up to
    the busy timeout (then "database is locked"). SQLite's own busy handler sleeps longer
    and longer between tries (up to 100 ms), so a scan event waiting behind a sync's short
    transactions would miss gap after gap; asking often takes the first gap."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY") or time.monotonic() > deadline:
                    raise
            time.sleep(POLL_S)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def step_aside() -> None:
    """Between two transactions of a bulk job: a writer that waits (a scan event) goes first."""
    time.sleep(YIELD_S)


def corruption(conn: sqlite3.Connection) -> str | None:
    """What SQLite's integrity check reports, or None when the file is sound."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
            return str(exc)
        raise
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def open_checked(path: Path, *, check: bool) -> tuple[sqlite3.Connection, Path | None]:
    """(connection, where a corrupt file was moved, or None); StoreUnavailable when the
    store cannot be used as it is."""
    prepare(path)
    aside: Path | None = None
    try:
        conn = connect(path)
        try:
            found = corruption(conn) if check else None
            if found is not None:
                conn.close()
                log.error("store %s is damaged (%s); moving it aside and starting a new one", path, found)
                aside = _move_aside(path)
                prepare(path)
                conn = connect(path)
            migrate(conn)
        except BaseException:
            conn.close()
            raise
    except (sqlite3.Error, OSError) as exc:
        raise StoreUnavailable(describe(exc, path)) from None
    if aside is not None:
        _salvage(aside, conn)
    return conn, aside


def _move_aside(path: Path) -> Path:
    """Rename the file and its side files to a name that is free: link() never overwrites."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for n in range(1, 10_000):
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        try:
            os.link(path, aside)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links (FAT on a stick): check, then rename
            if aside.exists():
                continue
            path.rename(aside)
        else:
            path.unlink()
        for suffix in SIDE_FILES:
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.replace(aside.with_name(aside.name + suffix))
        return aside
    raise StoreUnavailable(f"no free name to move the damaged store {path} aside")


def _salvage(old: Path, conn: sqlite3.Connection) -> None:
    events = settings = 0
    try:
        src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        try:
            columns = "event_id, ts, body, sent" + (", fault" if _has_fault(src) else "")
            for row in _rows(src, f"SELECT {columns} FROM events NOT INDEXED"):
                marks = ", ".join("?" * len(row))
                conn.execute(f"INSERT OR IGNORE INTO events ({columns}) VALUES ({marks})", row)
                events += 1
            for row in _rows(src, "SELECT key, value FROM settings"):
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", row)
                settings += 1
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        log.error("salvage from %s stopped: %s", old, exc)
    log.warning("recovered %d scan records and %d settings from %s", events, settings, old)


def _has_fault(src: sqlite3.Connection) -> bool:
    """Whether the damaged file is of schema 2 or later (its records carry `fault`)."""
    try:
        return any(r[1] == "fault" for r in src.execute("PRAGMA table_info(events)"))
    except sqlite3.DatabaseError:
        return False


def _rows(src: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    """The readable rows of a query on a damaged file (stops at the first unreadable page)."""
    out: list[tuple[object, ...]] = []
    try:
        for row in src.execute(sql):
            out.append(tuple(row))
    except sqlite3.DatabaseError as exc:
        log.error("reading %r from the damaged store stopped: %s", sql.split(" FROM ")[1], exc)
    return out
