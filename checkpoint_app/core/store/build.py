"""Building the new cache table from the staged pages of a first sync or a rebuild.

One sorted pass over the staging table (newest row per hid, removals dropped) feeds
inserts in hid order, which append to the B-tree and fill its pages. The pass is sorted
into a scratch file first (see _newest_rows) and written in batches of short
transactions, so that the window's scan events never wait long for the write lock even
while ten million rows are built; the live table is replaced only at the end, at once.
A crash during the build leaves the staged pages: a first sync builds again at the next
sync, a rebuild starts over."""

from __future__ import annotations

import glob
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from checkpoint_app.core.store import cache
from checkpoint_app.core.store.connection import step_aside
from checkpoint_app.core.store.files import create_private
from checkpoint_app.core.store.schema import STATUS_DDL

# Rows per transaction: each holds the write lock for a few milliseconds, so that a scan
# event waits little (bench/store_bench.py measures it during a 10-million-row sync).
BATCH = 5_000
CLEAR_BATCH = 10_000
# File pages given back per step. A step moves the pages at the end of the file (the new
# table, written last) into free ones further up, and each move costs 0.1-0.3 ms at ten
# million rows (SQLite looks through the free-page list for one below the new end): 256
# pages held the write lock 60-90 ms while a rebuild gave back its space (a scan event
# waited that long), 32 hold it a few milliseconds; the whole give-back takes as long.
VACUUM_STEP = 32
NEWEST_SQL = (f"SELECT hid, st, at FROM (SELECT hid, st, at, row_number() OVER (PARTITION BY hid ORDER BY rowid"
              f" DESC) AS newest FROM {cache.STAGE}) WHERE newest = 1 AND st IS NOT NULL")
INSERT_SQL = f"INSERT INTO {cache.SHADOW} (hid, st, at) VALUES (?, ?, ?)"
SCRATCH_SUFFIX = ".build"

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]


def _newest_rows(path: Path, writer: bytes) -> Iterator[list[tuple[bytes, int | bytes, int]]]:
    """The newest row per hid, in hid order. They are sorted once into a scratch file beside
    the store, so that the store's read snapshot lasts only as long as that one statement:
    while a snapshot is open the WAL cannot be copied back, and the new table's pages would
    pile up in it (350 MB at 10 million rows), to be copied in one burst that stalls every
    fsync meanwhile, a scan event's too. Without it the sync's own small checkpoints copy
    the new table as it is written. Reading the scratch back takes no lock on the store.

    Each build has its own scratch file, read through the one connection that wrote it: a
    build that was taken over (build_and_swap) and one that broke off leave theirs, which
    the next build deletes (an open one is read on until its build stops)."""
    for left in path.parent.glob(glob.escape(path.name + SCRATCH_SUFFIX) + "*"):
        left.unlink(missing_ok=True)
    scratch = path.with_name(f"{path.name}{SCRATCH_SUFFIX}-{writer.hex()}")
    create_private(scratch)
    try:
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("ATTACH DATABASE ? AS build", (str(scratch),))
            reader.execute("PRAGMA build.journal_mode = OFF")  # scratch: lost in a crash, made again
            reader.execute("PRAGMA build.synchronous = OFF")
            reader.execute("CREATE TABLE build.newest (hid BLOB, st ANY, at INTEGER)")
            reader.execute(f"INSERT INTO build.newest {NEWEST_SQL}")  # reads the store, writes the scratch
            cursor = reader.execute("SELECT hid, st, at FROM build.newest ORDER BY rowid")
            while batch := cursor.fetchmany(BATCH):
                yield batch
        finally:
            reader.close()
    finally:
        scratch.unlink(missing_ok=True)


def build_and_swap(path: Path, transaction: Transaction, checkpoint: Callable[[], None], writer: bytes) -> None:
    """Build `status_new` from the staged pages and swap it in; `transaction` is the
    owning Store's (BEGIN IMMEDIATE ... COMMIT on its connection), `checkpoint` copies
    what is left in the WAL before the swap, in the syncing thread. Every transaction first
    checks that `writer` still owns the stage: a second sync that took it over (or started
    a rebuild over) builds its own table, and this one stops before it writes again."""
    with transaction() as conn:
        cache.check_writer(conn, writer)
        cursor = cache.get_state(conn, cache.STAGE_TO) or 0
        conn.execute(f"DROP TABLE IF EXISTS {cache.SHADOW}")
        conn.execute(STATUS_DDL.format(name=cache.SHADOW))
    for batch in _newest_rows(path, writer):
        step_aside()
        with transaction() as conn:
            cache.check_writer(conn, writer)
            conn.executemany(INSERT_SQL, batch)
    checkpoint()
    with transaction() as conn:
        cache.check_writer(conn, writer)
        cache.swap(conn, cursor)


def give_back_free_pages(conn: sqlite3.Connection) -> None:
    """Return the free pages (the cleared tables') to the file system VACUUM_STEP at a time,
    so that another writer (a scan event) waits at most one step. executescript, because
    sqlite3's execute would run only the first step of the pragma."""
    while conn.execute("PRAGMA freelist_count").fetchone()[0] > 0:
        step_aside()
        conn.executescript(f"PRAGMA incremental_vacuum({VACUUM_STEP});")


def clear_table(transaction: Transaction, table: str, key: str) -> None:
    """Empty a table no longer in use in short transactions, then drop it (now cheap)."""
    while True:
        step_aside()
        with transaction() as conn:
            deleted = conn.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} LIMIT ?)",
                                   (CLEAR_BATCH,)).rowcount
        if deleted == 0:
            break
    with transaction() as conn:
        conn.execute(f"DROP TABLE {table}")
