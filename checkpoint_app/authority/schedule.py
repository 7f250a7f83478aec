"""Changes that take effect later (spec 4.3, effect time): held, then published when due.

The platform publishes a change when it takes effect, never ahead: a change dated in
the future waits in `pending_status` and gets its `seq` only when it is appended to the
log. A checkpoint would otherwise apply it at once (and a removal dated 14 days ahead
would let a red person pass today). A newer change for the same person cancels that
person's pending ones.

Who publishes: whoever touches the log next, with the log's write lock held, so that any
number of server processes publish each due change exactly once: every page served
(Authority.status_page) and every change recorded."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, delete, func, select

from checkpoint_app.authority.db import pending_status
from checkpoint_app.authority.statuslog import Change, append_locked, check_change, lock_head, reasons_text

_CANCEL_CHUNK = 500


def _reasons(text: str) -> tuple[int, ...]:
    return tuple(int(r) for r in text.split(",")) if text else ()


def _publish_due_locked(conn: Connection, head: int, now: int) -> int:
    rows = conn.execute(select(pending_status).where(pending_status.c.effective_at <= now)
                        .order_by(pending_status.c.effective_at, pending_status.c.id)).all()
    if not rows:
        return head
    conn.execute(delete(pending_status).where(pending_status.c.id.in_([r.id for r in rows])))
    return append_locked(conn, head, [(r.hid, r.color, _reasons(r.reasons), r.effective_at) for r in rows])


def publish_due(engine: Engine, now: int) -> None:
    """Append the held changes whose time has come (cheap when none is due)."""
    with engine.connect() as conn:
        soonest = conn.execute(select(func.min(pending_status.c.effective_at))).scalar()
    if soonest is None or soonest > now:
        return
    with engine.begin() as conn:
        _publish_due_locked(conn, lock_head(conn), now)


def _cancel(conn: Connection, hids: set[bytes]) -> None:
    if conn.execute(select(pending_status.c.id).limit(1)).first() is None:
        return  # nothing held: skip a delete per person of a bulk load
    ordered = sorted(hids)
    for i in range(0, len(ordered), _CANCEL_CHUNK):
        conn.execute(delete(pending_status).where(pending_status.c.hid.in_(ordered[i:i + _CANCEL_CHUNK])))


def record(engine: Engine, changes: Iterable[Change], now: int) -> int:
    """Record changes in order: those effective by `now` go to the log, later ones are held.
    Returns the head of the log."""
    checked = [check_change(c) for c in changes]
    with engine.begin() as conn:
        return record_locked(conn, lock_head(conn), checked, now)


def record_locked(conn: Connection, head: int, changes: list[Change], now: int) -> int:
    """`record` inside the caller's transaction, under the lock of `lock_head` (bulk.py
    imports a large file so, a chunk per transaction)."""
    held: dict[bytes, Change] = {}  # the newest scheduled change per person in this batch
    immediate: list[Change] = []
    for change in changes:
        if change[3] > now:
            held[change[0]] = change
        else:
            held.pop(change[0], None)
            immediate.append(change)
    head = _publish_due_locked(conn, head, now)
    _cancel(conn, {c[0] for c in changes})
    head = append_locked(conn, head, immediate)
    if held:
        conn.execute(pending_status.insert(), [
            {"hid": hid, "color": color, "reasons": reasons_text(reasons), "effective_at": at}
            for hid, color, reasons, at in held.values()])
    return head


def pending(engine: Engine, hid: bytes) -> list[Change]:
    """The changes held for one person (for the CLI and the tests)."""
    with engine.connect() as conn:
        rows = conn.execute(select(pending_status).where(pending_status.c.hid == hid)).all()
    return [(r.hid, r.color, _reasons(r.reasons), r.effective_at) for r in rows]
