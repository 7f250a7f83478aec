"""The status log (spec 4.3): numbered changes, pages with `since`, compaction and resets.

`head` is the last sequence number handed out, `horizon` the highest one below which
compaction may have dropped removals: a checkpoint asking from below it must rebuild.
Changes reach the log through schedule.py, which holds those that take effect later."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, select, text, update

from checkpoint_app.authority import epoch
from checkpoint_app.authority.db import bump, counters, snapshot, status_log
from checkpoint_app.core.status_pages import Entry, StatusPage

# (hid, color, reasons, effective_at)
Change = tuple[bytes, int, tuple[int, ...], int]


_PAGE_SQL = text("SELECT seq, hid, color, reasons, effective_at FROM status_log"
                 " WHERE seq > :start AND seq <= :head ORDER BY seq LIMIT :n")


COMPACT_CHUNK = 20_000
COPY_FROM = 1_000  # rows from which PostgreSQL's COPY beats executemany
_COPY_TYPES = ["int8", "bytea", "int2", "varchar", "int8"]  # status_log's columns, exactly (a binary COPY)
_SUPERSEDED_SQL = text("DELETE FROM status_log WHERE seq > :low AND seq <= :high AND EXISTS"
                       " (SELECT 1 FROM status_log AS newer WHERE newer.hid = status_log.hid"
                       " AND newer.seq > status_log.seq)")


@dataclass(frozen=True)
class CompactResult:
    deleted: int
    horizon: int


def counter(conn: Connection, name: str) -> int:
    value: int = conn.execute(select(counters.c.value).where(counters.c.name == name)).scalar_one()
    return value


def lock_head(conn: Connection) -> int:
    """Take the log's write lock (call first in a transaction) and return the head.

    An UPDATE first, not SELECT ... FOR UPDATE: SQLite ignores FOR UPDATE and its driver
    begins the transaction only at the first write, so a read first would run outside
    it; the UPDATE takes SQLite's write lock and PostgreSQL's row lock at once. Writers in
    any process then hand out seqs one at a time, in commit order."""
    conn.execute(update(counters).where(counters.c.name == "head").values(value=counters.c.value))
    return counter(conn, "head")


def reasons_text(reasons: Iterable[int]) -> str:
    if isinstance(reasons, tuple):
        return _reasons_text(reasons)  # an import has a million changes and a few distinct reasons
    return ",".join(str(int(r)) for r in reasons)


@functools.lru_cache(maxsize=1024)
def _reasons_text(reasons: tuple[int, ...]) -> str:
    return ",".join(str(int(r)) for r in reasons)


def _reasons(text: str) -> list[int]:
    return [int(r) for r in text.split(",")] if text else []


def check_change(change: Change) -> Change:
    hid, color, _, _ = change
    if len(hid) != 16 or color not in (0, 1, 2):
        raise ValueError("a status change needs a 16-byte hid and a colour 0-2")
    return change


def append_locked(conn: Connection, head: int, changes: Iterable[Change]) -> int:
    """Append changes in order under the lock of `lock_head`; returns the new head.

    Straight to the driver: PostgreSQL's COPY for a large batch, executemany otherwise. A
    million rows through SQLAlchemy's per-row processing took 6 s more than the insert."""
    rows = []
    for hid, color, reasons, effective_at in changes:
        head += 1
        rows.append((head, hid, color, reasons_text(reasons), effective_at))
    if not rows:
        return head
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        driver = conn.connection.driver_connection
        assert driver is not None  # None only once the connection is closed
        with driver.cursor() as cur, \
                cur.copy("COPY status_log (seq, hid, color, reasons, effective_at) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_COPY_TYPES)  # binary: the server parses no hex for the hids, no digits
            for row in rows:
                copy.write_row(row)
    else:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql("INSERT INTO status_log (seq, hid, color, reasons, effective_at)"
                             f" VALUES ({', '.join([mark] * 5)})", rows)
    conn.execute(update(counters).where(counters.c.name == "head").values(value=head))
    return head


@contextmanager
def hid_index_after(conn: Connection) -> Iterator[None]:
    """Inside the caller's transaction: drop the index on hid, and build it again at the end of
    the block (a bulk load into an empty log). PostgreSQL's DDL is transactional: a failure
    leaves the index as it was. The table is locked against readers until the commit."""
    indexes = list(status_log.indexes)
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)


@dataclass(frozen=True)
class LogState:
    """The log's counters and the served documents' serials, read in one snapshot."""

    head: int
    horizon: int
    generation: int  # raised by every compaction: full pages read before it may differ
    epoch: bytes
    trust_serial: int
    policy_serial: int
    checkpoints: int = 0  # raised with every token registered or revoked (tokens.py)

    def start(self, since: int, rebuild: bool) -> tuple[int, bool]:
        """(the page's `from`, whether it is a reset) for a request from `since`."""
        reset = since > self.head or (not rebuild and since < self.horizon)
        return (0 if reset else since), reset


def read_state(conn: Connection) -> LogState:
    """One query for the counters: a page needs head, horizon, generation and epoch."""
    values = dict(conn.execute(select(counters.c.name, counters.c.value)).all())
    trust_serial, policy_serial = epoch.serials(conn)
    return LogState(values["head"], values["horizon"], values.get("generation", 0),
                    epoch.as_bytes(values["epoch"]), trust_serial, policy_serial, values.get("checkpoints", 0))


def read_entries(conn: Connection, start: int, head: int, n: int) -> list[Entry]:
    """Up to n entries after `start`, as pages hold them: [hid, color, reasons, effective_at, seq].
    Plain text SQL: no per-row type processing, which is most of the cost of a 10,000-row page."""
    rows = conn.execute(_PAGE_SQL, {"start": start, "head": head, "n": n}).all()
    return [(bytes(h), c, _reasons_of(r), at, seq) for seq, h, c, r, at in rows]


@functools.lru_cache(maxsize=4096)  # a log has millions of entries and a few distinct reason lists
def _reasons_of(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",")) if text else ()


def make_page(state: LogState, start: int, reset: bool, entries: list[Entry], limit: int, now: int) -> StatusPage:
    """The page of `entries` (up to limit + 1 of those after `start`, in seq order)."""
    more = len(entries) > limit
    entries = entries[:limit]
    to = entries[-1][4] if more else state.head
    return StatusPage(start, to, more, reset, tuple(entries), now, state.epoch, state.trust_serial,
                      state.policy_serial)


def page(engine: Engine, since: int, rebuild: bool, limit: int, now: int) -> StatusPage:
    """One page after `since`, signed time `now`; a reset (from 0) when `since` is ahead of the
    log or below the horizon. Counters and rows come from one snapshot."""
    with snapshot(engine) as conn:
        state = read_state(conn)
        start, reset = state.start(since, rebuild)
        entries = read_entries(conn, start, state.head, limit + 1)
    return make_page(state, start, reset, entries, limit, now)


def compact(engine: Engine, drop_removals_before: int | None, chunk: int = COMPACT_CHUNK) -> CompactResult:
    """Keep the newest entry per person; drop removals effective before the given time.

    Dropping a removal moves the horizon up to its seq: a checkpoint behind it would never
    hear of the removal, so it is sent a reset instead. The horizon is raised (and the
    generation, so that servers forget their full pages) before any removal is deleted, in
    a short transaction; the deleting then goes `chunk` seqs per transaction, so that a
    status change (or, on SQLite, a scan upload) waits at most one chunk, not the whole
    log: an entry superseded stays superseded whatever is appended meanwhile."""
    removal = (status_log.c.color == 0) & (status_log.c.reasons == "")
    if drop_removals_before is not None:
        removal = removal & (status_log.c.effective_at < drop_removals_before)
    with engine.begin() as conn:
        last = lock_head(conn)
        horizon = counter(conn, "horizon")
        top = conn.execute(select(func.max(status_log.c.seq)).where(removal)).scalar() \
            if drop_removals_before is not None else None
        if top is not None and top > horizon:
            horizon = int(top)
            conn.execute(update(counters).where(counters.c.name == "horizon").values(value=horizon))
        bump(conn, "generation")
    deleted = 0
    for low in range(0, last, chunk):
        high = min(low + chunk, last)
        with engine.begin() as conn:
            deleted += conn.execute(_SUPERSEDED_SQL, {"low": low, "high": high}).rowcount
            if top is not None and low < top:
                in_range = status_log.c.seq.between(low + 1, min(high, int(top)))
                deleted += conn.execute(delete(status_log).where(in_range & removal)).rowcount
    with engine.begin() as conn:
        bump(conn, "generation")  # pages read while deleting still held some of the dropped entries
    return CompactResult(deleted, horizon)


def head(engine: Engine) -> int:
    with engine.connect() as conn:
        return counter(conn, "head")


def current(engine: Engine, hid: bytes) -> Change | None:
    """The newest entry for one person (for the CLI and the tests)."""
    with engine.connect() as conn:
        row = conn.execute(select(status_log).where(status_log.c.hid == hid)
                           .order_by(status_log.c.seq.desc()).limit(1)).first()
    return None if row is None else (row.hid, row.color, tuple(_reasons(row.reasons)), row.effective_at)
