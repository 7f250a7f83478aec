"""The local store: one SQLite file per data folder (spec section 7, issue 4).

Threads (STYLE rule 3): a Store is one SQLite connection and belongs to the thread that
opened it; sqlite3 raises ProgrammingError if another thread touches it. The window
opens its Store inside its one database worker thread and makes every call there. A
second thread or process (the sync, `checkpoint-app verify`) opens its own Store on the
same file: WAL lets readers go on while one writer applies a page."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkpoint_app.core.checkpoint import Context
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.paths import store_path
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.status_pages import StatusPage
from checkpoint_app.core.store import cache, outbox, records
from checkpoint_app.core.store.build import build_and_swap, clear_table, give_back_free_pages
from checkpoint_app.core.store.connection import (
    SYNC_AUTOCHECKPOINT,
    WAL_AUTOCHECKPOINT,
    begin_immediate,
    open_checked,
    step_aside,
)
from checkpoint_app.core.store.documents import StoredDocument, load_verified, put_document
from checkpoint_app.core.store.errors import NotSyncedError, StoreError
from checkpoint_app.core.store.outbox import RETENTION_S
from checkpoint_app.core.trust.policy import Policy

LAST_LOCAL = "last_sync_local"


@dataclass(frozen=True, slots=True)
class SyncTimes:
    """`local`: the checkpoint's clock at the last successful sync (shown to the guard);
    `last_at`: the greatest signed platform time of the pages applied (spec 4.3), from which
    the freshness facts count. None: never."""

    local: int | None
    last_at: int | None


class Store:
    """Status cache, signed documents, sync cursor and times, outbox and settings."""

    def __init__(self, conn: sqlite3.Connection, path: Path, recovered_from: Path | None) -> None:
        self._conn = conn
        self.path = path
        self.recovered_from = recovered_from  # the damaged file moved aside at open, if any

    @classmethod
    def open(cls, data_dir: Path | str | None = None, *, check: bool = True) -> Store:
        """Open (creating and migrating) the store in `data_dir`; `check` runs the integrity
        check first. StoreUnavailable (one line) when the store cannot be used as it is."""
        path = store_path(data_dir)
        conn, aside = open_checked(path, check=check)
        return cls(conn, path, aside)

    def data_version(self) -> int:
        """Changes whenever another connection (another process's sync) commits to the file."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: take the write lock first, so a page never half-applies."""
        begin_immediate(self._conn)
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (disk full) may leave the transaction open, or SQLite may
            # already have rolled it back: either way the next write starts clean.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    # -- status cache ------------------------------------------------------------------
    def lookup(self, hid: bytes) -> StatusEntry | None:
        return cache.lookup(self._conn, hid)

    def cache_size(self) -> int:
        return cache.count(self._conn)

    def cursor(self) -> int:
        return cache.get_state(self._conn, cache.CURSOR) or 0

    def apply_status_page(self, page: StatusPage) -> None:
        """Apply a page whole, with its cursor. synchronous=NORMAL here: in WAL mode a power cut
        can lose the last pages but never splits one from its cursor, and lost pages are simply
        fetched again; the outbox keeps FULL."""
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._autocheckpoint(SYNC_AUTOCHECKPOINT)
        writer = os.urandom(8)  # this sync, as the writer of a staged page and its build
        try:
            if self._apply(page, writer):
                build_and_swap(self.path, self.transaction, self.checkpoint, writer)
                self._tidy()
        finally:
            self._conn.execute("PRAGMA synchronous = FULL")
            self._autocheckpoint(WAL_AUTOCHECKPOINT)

    def _autocheckpoint(self, pages: int) -> None:
        self._conn.execute(f"PRAGMA wal_autocheckpoint = {pages}").fetchall()

    def _apply(self, page: StatusPage, writer: bytes) -> bool:
        """The page's transactions: one for a live page; for a staged page a first one that
        checks and claims the stage, its rows in parts, and a last one that counts it. True
        when it completed a staged cache."""
        prepared = cache.prepare(self._conn, page)
        with self.transaction() as conn:
            if not cache.apply_page(conn, page, prepared, writer):
                return False
        for start in range(0, len(prepared.rows), cache.STAGE_PART):
            step_aside()
            with self.transaction() as conn:
                cache.stage_part(conn, writer, prepared.rows[start:start + cache.STAGE_PART])
        with self.transaction() as conn:
            return cache.finish_staged_page(conn, page, writer)

    def resume_point(self) -> int:
        """Where the next status request starts: the cursor, or after an unfinished first
        sync's staged pages."""
        return cache.resume_point(self._conn)

    def expected_epoch(self) -> bytes | None:
        """The epoch of the platform's log that the next page must carry (None: any)."""
        return cache.expected_epoch(self._conn)

    def checkpoint(self) -> None:
        """Copy the WAL back into the file now (PASSIVE: writers go on meanwhile)."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def abandon_rebuild(self, *, keep_first_sync: bool = False) -> bool:
        with self.transaction() as conn:
            had = cache.abandon_rebuild(conn, keep_first_sync=keep_first_sync)
        self._tidy()
        return had

    def _tidy(self) -> None:
        """Clear the tables a build or an abandoned rebuild left, and give their space back."""
        tables = cache.garbage(self._conn)
        for table, key in tables:
            clear_table(self.transaction, table, key)
        if tables:
            give_back_free_pages(self._conn)
            self.checkpoint()

    # -- documents and freshness ---------------------------------------------------------
    def document(self, kind: str) -> StoredDocument | None:
        row = self._conn.execute("SELECT serial, body, etag FROM documents WHERE kind = ?", (kind,)).fetchone()
        return None if row is None else StoredDocument(kind, row[0], row[1], row[2])

    def put_document(self, doc: StoredDocument, now: int) -> None:
        with self.transaction() as conn:
            put_document(conn, doc, now)

    def record_sync(self, local: int) -> None:
        """A successful sync ended at this local time (for the guard's "last sync")."""
        with self.transaction() as conn:
            cache.set_state(conn, LAST_LOCAL, local)

    def sync_times(self) -> SyncTimes:
        return SyncTimes(cache.get_state(self._conn, LAST_LOCAL), cache.get_state(self._conn, cache.LAST_AT))

    def freshness(self, policy: Policy, now: int) -> Freshness:
        """The three facts of spec 4.2, counted from `last_at` (the signed platform time), never
        from a local time: a clock jump or a frozen mirror cannot make old data look fresh."""
        last_at = cache.get_state(self._conn, cache.LAST_AT)
        if last_at is None:
            return Freshness(cache_stale=True, offline_too_long=True, clock_error=False, never_synced=True)
        age = now - last_at
        return Freshness(
            cache_stale=age > policy.max_cache_age_s,
            offline_too_long=age > policy.max_offline_s,
            clock_error=now < last_at - policy.clock_skew_s,
        )

    def load_context(self, root_keys: Sequence[PublicKey], venue_type: str, now: int) -> Context:
        """The verified trust list and policy, this store as the cache, and the freshness facts."""
        trust, policy = load_verified(self.document("trust-list"), self.document("policy"), root_keys)
        return Context(trust=trust, policy=policy, cache=self, freshness=self.freshness(policy, now),
                       venue_type=venue_type)

    # -- scan events -------------------------------------------------------------------
    def record_event(self, event: ScanEvent) -> None:
        """Write the event to the outbox; it is on disk (synchronous=FULL) when this returns."""
        with self.transaction() as conn:
            outbox.record(conn, event)

    def pending_count(self) -> int:
        return outbox.pending_count(self._conn)

    def pending_events(self, limit: int = 500, after: tuple[int, str] | None = None) -> list[ScanEvent]:
        """Queued events in (ts, event_id) order, after `after`. A row that cannot be read
        back is set apart (kept, marked, never sent) so that it blocks no other."""
        events: list[ScanEvent] = []
        while True:
            got, damaged = outbox.pending(self._conn, limit - len(events), after)
            events += got
            if not damaged:
                return events
            with self.transaction() as conn:
                outbox.set_apart(conn, damaged)
            if len(events) >= limit:
                return events
            if got:
                after = (got[-1].ts, got[-1].event_id)

    def mark_sent(self, event_ids: list[str], now: int) -> int:
        """The platform answered these accepted or duplicate: they leave the queue."""
        with self.transaction() as conn:
            return outbox.mark_sent(conn, event_ids, now)

    def mark_rejected(self, rejected: dict[str, str], now: int) -> int:
        """The platform rejected these ({event_id: reason}): they leave the queue, marked."""
        with self.transaction() as conn:
            return outbox.mark_rejected(conn, rejected, now)

    def events_between(self, ts_from: int, ts_to: int) -> list[ScanEvent]:
        return [r.event for r in records.between(self._conn, ts_from, ts_to).records]

    def records_between(self, ts_from: int, ts_to: int) -> records.Records:
        """The records with their upload state, and how many rows could not be read."""
        return records.between(self._conn, ts_from, ts_to)

    def purge(self, retention_s: int = RETENTION_S) -> int:
        """Delete the records that left the upload queue more than `retention_s` before
        `last_at` (spec 7: the platform's time, so a local clock jump deletes nothing)."""
        last_at = cache.get_state(self._conn, cache.LAST_AT)
        if last_at is None:
            return 0
        with self.transaction() as conn:
            return outbox.purge(conn, last_at, retention_s)

    # -- settings (JSON values; the typed schema lives with the window) -------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except (TypeError, ValueError, RecursionError):
            raise StoreError(f"the setting {key!r} in the store is damaged (not JSON); set it again") from None

    def set_setting(self, key: str, value: Any) -> None:
        self.set_settings({key: value})

    def set_settings(self, values: dict[str, Any]) -> None:
        """All in one transaction (a server and its token: both or neither)."""
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                             [(key, json.dumps(value, ensure_ascii=False)) for key, value in values.items()])


__all__ = ["NotSyncedError", "Store", "StoredDocument", "SyncTimes"]
