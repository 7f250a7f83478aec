"""Scan records and the outbox (spec sections 5 and 7).

`sent` stays null while an event waits for upload. A queued event is never deleted; one
that has left the queue stays for the local export until it is older than the retention
period, counted against the platform's signed time `last_at` (spec 7)."""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from dataclasses import MISSING, fields
from typing import Any

from checkpoint_app.core.events import ScanEvent

log = logging.getLogger("checkpoint.store")
RETENTION_S = 28 * 86400
_FIELDS = {f.name for f in fields(ScanEvent)} - {"extra"}
_REQUIRED = {f.name for f in fields(ScanEvent) if f.default is MISSING and f.default_factory is MISSING}


class DamagedRecord(ValueError):
    """A stored record that cannot be read back as a scan event (edited or damaged file)."""


def event_from_wire(obj: dict[str, Any]) -> ScanEvent:
    known = {k: v for k, v in obj.items() if k in _FIELDS}
    known["reasons"] = tuple(known.get("reasons") or ())
    # Records written before `source` existed: a manual record's source is manual, else a code.
    known.setdefault("source", "manual" if known.get("kind") == "manual" else "code")
    return ScanEvent(**known, extra={k: v for k, v in obj.items() if k not in _FIELDS})


def read_event(event_id: str, ts: object, body: object) -> ScanEvent:
    """The event of a stored row, or DamagedRecord saying what is wrong with it."""
    try:
        obj = json.loads(body, parse_constant=_not_json, parse_float=_finite) if isinstance(body, str | bytes) else None
    except (ValueError, RecursionError):
        raise DamagedRecord("not JSON") from None
    if not isinstance(obj, dict):
        raise DamagedRecord("not a JSON object")
    missing = sorted(_REQUIRED - obj.keys())
    if missing:
        raise DamagedRecord(f"lacks {', '.join(missing)}")
    if obj["event_id"] != event_id or type(obj["ts"]) is not int or obj["ts"] != ts:
        raise DamagedRecord("its event_id or ts does not match its row")
    try:
        return event_from_wire(obj)
    except (TypeError, ValueError) as exc:
        raise DamagedRecord(str(exc)) from None


def _not_json(text: str) -> float:
    raise ValueError(f"{text} is not JSON")  # Python writes NaN and Infinity; JSON has neither


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _body(event: ScanEvent) -> str:
    # allow_nan=False: a non-finite number would make the record unreadable JSON; it is
    # refused here (ValueError) rather than kept in a form no platform can take.
    return json.dumps(event.to_wire(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def record(conn: sqlite3.Connection, event: ScanEvent) -> None:
    # OR IGNORE: recording the same event again (a retried write) must not duplicate it.
    conn.execute("INSERT OR IGNORE INTO events (event_id, ts, body, sent) VALUES (?, ?, ?, NULL)",
                 (event.event_id, event.ts, _body(event)))


# The upload queue: never taken (sent null) and not set apart as unreadable (fault null).
QUEUED = "sent IS NULL AND fault IS NULL"


def pending_count(conn: sqlite3.Connection) -> int:
    n: int = conn.execute(f"SELECT count(*) FROM events WHERE {QUEUED}").fetchone()[0]
    return n


def pending(conn: sqlite3.Connection, limit: int,
            after: tuple[int, str] | None = None) -> tuple[list[ScanEvent], dict[str, str]]:
    """(up to `limit` queued events after `after` in (ts, event_id) order, the unreadable
    rows met on the way: {event_id: what is wrong}); the caller sets the latter apart."""
    ts, eid = after if after is not None else (-(2**63), "")
    rows = conn.execute(f"SELECT event_id, ts, body FROM events WHERE {QUEUED} AND (ts, event_id) > (?, ?)"
                        " ORDER BY ts, event_id LIMIT ?", (ts, eid, limit))
    events: list[ScanEvent] = []
    damaged: dict[str, str] = {}
    for event_id, row_ts, body in rows:
        try:
            events.append(read_event(event_id, row_ts, body))
        except DamagedRecord as exc:
            damaged[event_id] = str(exc)
    return events, damaged


def set_apart(conn: sqlite3.Connection, damaged: dict[str, str]) -> None:
    """Unreadable rows leave the queue's way but stay in the store: never sent, never deleted."""
    conn.executemany(f"UPDATE events SET fault = ? WHERE event_id = ? AND {QUEUED}",
                     [(f"damaged: {why}", eid) for eid, why in damaged.items()])
    for eid, why in damaged.items():
        log.warning("scan record %s in the store cannot be read (%s); kept, not uploaded", eid, why)


def mark_sent(conn: sqlite3.Connection, event_ids: list[str], now: int) -> int:
    """Accepted or duplicate: the event has left the queue (spec 5)."""
    cur = conn.executemany("UPDATE events SET sent = ? WHERE event_id = ? AND sent IS NULL",
                           [(now, eid) for eid in event_ids])
    return cur.rowcount


def mark_rejected(conn: sqlite3.Connection, rejected: dict[str, str], now: int) -> int:
    """Rejected by the platform: it has left the queue too, and stays marked with the reason."""
    cur = conn.executemany("UPDATE events SET sent = ?, fault = ? WHERE event_id = ? AND sent IS NULL",
                           [(now, f"rejected: {why}", eid) for eid, why in rejected.items()])
    return cur.rowcount


def purge(conn: sqlite3.Connection, last_at: int, retention_s: int = RETENTION_S) -> int:
    """Delete the records that have left the upload queue and are older than the retention
    period counted from the platform's time; a queued event is never deleted for age."""
    deleted: int = conn.execute("DELETE FROM events WHERE sent IS NOT NULL AND ts < ?",
                                (last_at - retention_s,)).rowcount
    if deleted:
        log.info("retention purge deleted %d uploaded scan records older than %d days", deleted, retention_s // 86400)
    return deleted
