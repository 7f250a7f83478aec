"""The status log (spec 4.3): numbered changes, pages with `since`, compaction and resets.

`head` is the last sequence number handed out, `horizon` the highest one below which
compaction may have dropped removals: a checkpoint asking from below it must rebuild.
Changes reach the log through schedule.py, which holds those that take effect later."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, select, text, update

from checkpoint_app.authority import epoch
from checkpoint_app.authority.db import counters, status_log
from checkpoint_app.core.sync.pages import Entry, StatusPage

# (hid, color, reasons, effective_at)
Change = tuple[bytes, int, tuple[int, ...], int]


_PAGE_SQL = text("SELECT seq, hid, color, reasons, effective_at FROM status_log"
                 " WHERE seq > :start AND seq <= :head ORDER BY seq LIMIT :n")


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
    return ",".join(str(int(r)) for r in reasons)


def _reasons(text: str) -> list[int]:
    return [int(r) for r in text.split(",")] if text else []


def check_change(change: Change) -> Change:
    hid, color, _, _ = change
    if len(hid) != 16 or color not in (0, 1, 2):
        raise ValueError("a status change needs a 16-byte hid and a colour 0-2")
    return change


def append_locked(conn: Connection, head: int, changes: Iterable[Change]) -> int:
    """Append changes in order under the lock of `lock_head`; returns the new head."""
    rows = []
    for hid, color, reasons, effective_at in changes:
        head += 1
        rows.append({"seq": head, "hid": hid, "color": color, "reasons": reasons_text(reasons),
                     "effective_at": effective_at})
    if rows:
        conn.execute(status_log.insert(), rows)
        conn.execute(update(counters).where(counters.c.name == "head").values(value=head))
    return head


def page(engine: Engine, since: int, rebuild: bool, limit: int, now: int) -> StatusPage:
    """One page after `since`, signed time `now`; a reset (from 0) when `since` is ahead of the
    log or below the horizon."""
    with engine.connect() as conn:
        # Read head first: every row up to it is committed and visible to the next query.
        head, horizon = counter(conn, "head"), counter(conn, "horizon")
        reset = since > head or (not rebuild and since < horizon)
        start = 0 if reset else since
        # Plain text SQL: no per-row type processing, which is most of the cost of a 10,000-row page.
        rows = conn.execute(_PAGE_SQL, {"start": start, "head": head, "n": limit + 1}).all()
        life, (trust_serial, policy_serial) = epoch.current(conn), epoch.serials(conn)
    more = len(rows) > limit
    rows = rows[:limit]
    to = rows[-1][0] if more else head
    entries: list[Entry] = [(bytes(h), c, tuple(int(x) for x in r.split(",")) if r else (), at, seq)
                            for seq, h, c, r, at in rows]
    return StatusPage(start, to, more, reset, tuple(entries), now, life, trust_serial, policy_serial)


def compact(engine: Engine, drop_removals_before: int | None) -> CompactResult:
    """Keep the newest entry per person; drop removals effective before the given time.

    Dropping a removal moves the horizon up to its seq: a checkpoint behind it would
    never hear of the removal, so it is sent a reset instead."""
    with engine.begin() as conn:
        lock_head(conn)
        newest = select(func.max(status_log.c.seq)).group_by(status_log.c.hid).scalar_subquery()
        deleted = conn.execute(delete(status_log).where(status_log.c.seq.not_in(newest))).rowcount
        horizon = counter(conn, "horizon")
        if drop_removals_before is not None:
            removal = (status_log.c.color == 0) & (status_log.c.reasons == "") \
                & (status_log.c.effective_at < drop_removals_before)
            top = conn.execute(select(func.max(status_log.c.seq)).where(removal)).scalar()
            deleted += conn.execute(delete(status_log).where(removal)).rowcount
            if top is not None and top > horizon:
                horizon = int(top)
                conn.execute(update(counters).where(counters.c.name == "horizon").values(value=horizon))
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
