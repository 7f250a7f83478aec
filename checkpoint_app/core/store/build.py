"""Building the new cache table from the staged pages of a first sync or a rebuild.

One sorted pass over the staging table (newest row per hid, removals dropped) feeds
inserts in hid order, which append to the B-tree and fill its pages. The pass reads
through a second connection (a WAL snapshot) and writes in batches of short
transactions, so that the window's scan events never wait long for the write lock even
while ten million rows are built; the live table is replaced only at the end, at once.
A crash during the build leaves the staged pages: a first sync builds again at the next
sync, a rebuild starts over."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from checkpoint_app.core.store import cache
from checkpoint_app.core.store.schema import STATUS_DDL

BATCH = 50_000
CLEAR_BATCH = 100_000
NEWEST_SQL = (f"SELECT hid, st, at FROM (SELECT hid, st, at, row_number() OVER (PARTITION BY hid ORDER BY rowid"
              f" DESC) AS newest FROM {cache.STAGE}) WHERE newest = 1 AND st IS NOT NULL")
INSERT_SQL = f"INSERT INTO {cache.SHADOW} (hid, st, at) VALUES (?, ?, ?)"

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]


def _newest_rows(path: Path) -> Iterator[list[tuple[bytes, int | bytes, int]]]:
    reader = sqlite3.connect(path)
    try:
        rows = reader.execute(NEWEST_SQL)
        while batch := rows.fetchmany(BATCH):
            yield batch
    finally:
        reader.close()


def build_and_swap(path: Path, transaction: Transaction, checkpoint: Callable[[], None]) -> None:
    """Build `status_new` from the staged pages and swap it in; `transaction` is the
    owning Store's (BEGIN IMMEDIATE ... COMMIT on its connection).

    While the reader's snapshot is open the WAL cannot be copied back and grows by the
    whole new table; `checkpoint` copies it here, in the syncing thread, so that the next
    scan event's commit does not pay for it (its automatic checkpoint would)."""
    with transaction() as conn:
        cursor = cache.get_state(conn, cache.STAGE_TO) or 0
        conn.execute(f"DROP TABLE IF EXISTS {cache.SHADOW}")
        conn.execute(STATUS_DDL.format(name=cache.SHADOW))
    for batch in _newest_rows(path):
        with transaction() as conn:
            conn.executemany(INSERT_SQL, batch)
    checkpoint()
    with transaction() as conn:
        cache.swap(conn, cursor)


def clear_table(transaction: Transaction, table: str, key: str) -> None:
    """Empty a table no longer in use in short transactions, then drop it (now cheap)."""
    while True:
        with transaction() as conn:
            deleted = conn.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} LIMIT ?)",
                                   (CLEAR_BATCH,)).rowcount
        if deleted == 0:
            break
    with transaction() as conn:
        conn.execute(f"DROP TABLE {table}")
