"""Importing a status file (bulk.parse_statuses) into the log: fast, idempotent, resumable.

The file is applied CHUNK changes per transaction, each under the log's write lock (as
`set-status`): scheduled changes go to the pending table, due ones are published first,
a newer change cancels a person's pending ones (schedule.record_locked). The rows go in
with PostgreSQL's COPY or one executemany on SQLite (statuslog.append_locked).

Into an empty log on PostgreSQL (the first load of a platform) the whole file goes in one
transaction, with the index on hid dropped and built again after the rows: maintaining it
row by row was three quarters of the database's work (2.6 of 3.3 CPU-seconds for a million
rows; building it once takes 0.5). Dropping an index locks the table against readers until
the commit, so this is done only while no entry has ever been served (head 0), never into
a log that checkpoints are following.

Idempotent and resumable: the file is known by the SHA-256 of its bytes, and each
chunk's transaction records how many of them are applied (`status_imports`). Running the
same file again applies nothing; after an interruption it goes on at the first change
not applied. Two runs of the same file at once apply each chunk once: the count is read
under the write lock."""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from checkpoint_app.authority import schedule, statuslog
from checkpoint_app.authority.db import status_imports
from checkpoint_app.authority.platform import Authority

CHUNK = 100_000  # about 0.3 s of holding the write lock on SQLite


@dataclass(frozen=True)
class Imported:
    total: int
    applied: int  # by this run; the rest were applied by an earlier one
    head: int


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def import_statuses(authority: Authority, changes: list[statuslog.Change], key: str,
                    chunk: int = CHUNK) -> Imported:
    """Apply the changes read from the file whose digest is `key` (file_digest)."""
    checked = [statuslog.check_change(c) for c in changes]
    applied, head = 0, statuslog.head(authority.engine)
    for start in range(0, len(checked), chunk):
        with authority.engine.begin() as conn:
            head = statuslog.lock_head(conn)
            done = _done(conn, key, len(checked), int(authority.clock()))
            if done >= start + chunk or done >= len(checked):
                continue
            # Into an empty log on PostgreSQL: the rest of the file in this transaction, the hid
            # index built once after the rows rather than entry by entry (statuslog.hid_index_after).
            whole = head == 0 and conn.dialect.name == "postgresql"
            end = len(checked) if whole else min(start + chunk, len(checked))
            part = checked[max(start, done):end]
            with statuslog.hid_index_after(conn) if whole else nullcontext():
                head = schedule.record_locked(conn, head, part, int(authority.clock()))
            conn.execute(update(status_imports).where(status_imports.c.digest == key)
                         .values(done=end, updated_at=int(authority.clock())))
            applied += len(part)
            if whole:
                break
    authority.pages.invalidate()
    return Imported(len(checked), applied, head)


def _done(conn: Connection, key: str, rows: int, now: int) -> int:
    """How many changes of this file are applied (0 for a new file, which is recorded)."""
    done = conn.execute(select(status_imports.c.done).where(status_imports.c.digest == key)).scalar()
    if done is None:
        conn.execute(status_imports.insert().values(digest=key, rows=rows, done=0, updated_at=now))
        return 0
    return int(done)
