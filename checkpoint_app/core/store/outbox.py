"""Scan records and the outbox (spec sections 5 and 7).

Every event is kept until the retention period ends; `sent` stays null while it waits
for upload. "Deleted from the checkpoint after the platform accepted it" is read as
"leaves the outbox": the record stays for the local export until retention removes it."""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, fields
from typing import Any

from checkpoint_app.core.events import ScanEvent

log = logging.getLogger("checkpoint.store")
RETENTION_S = 28 * 86400
_FIELDS = {f.name for f in fields(ScanEvent)} - {"extra"}


@dataclass(frozen=True, slots=True)
class PurgeResult:
    deleted: int
    deleted_unsent: int


def event_from_wire(obj: dict[str, Any]) -> ScanEvent:
    known = {k: v for k, v in obj.items() if k in _FIELDS}
    known["reasons"] = tuple(known.get("reasons") or ())
    return ScanEvent(**known, extra={k: v for k, v in obj.items() if k not in _FIELDS})


def _body(event: ScanEvent) -> str:
    return json.dumps(event.to_wire(), ensure_ascii=False, separators=(",", ":"))


def record(conn: sqlite3.Connection, event: ScanEvent) -> None:
    # OR IGNORE: recording the same event again (a retried write) must not duplicate it.
    conn.execute("INSERT OR IGNORE INTO events (event_id, ts, body, sent) VALUES (?, ?, ?, NULL)",
                 (event.event_id, event.ts, _body(event)))


def pending_count(conn: sqlite3.Connection) -> int:
    n: int = conn.execute("SELECT count(*) FROM events WHERE sent IS NULL").fetchone()[0]
    return n


def pending(conn: sqlite3.Connection, limit: int) -> list[ScanEvent]:
    rows = conn.execute("SELECT body FROM events WHERE sent IS NULL ORDER BY ts, event_id LIMIT ?", (limit,))
    return [event_from_wire(json.loads(body)) for (body,) in rows]


def mark_sent(conn: sqlite3.Connection, event_ids: list[str], now: int) -> int:
    cur = conn.executemany("UPDATE events SET sent = ? WHERE event_id = ? AND sent IS NULL",
                           [(now, eid) for eid in event_ids])
    return cur.rowcount


def between(conn: sqlite3.Connection, ts_from: int, ts_to: int) -> list[ScanEvent]:
    """Events with ts_from <= ts < ts_to, oldest first."""
    rows = conn.execute("SELECT body FROM events WHERE ts >= ? AND ts < ? ORDER BY ts, event_id",
                        (ts_from, ts_to))
    return [event_from_wire(json.loads(body)) for (body,) in rows]


def purge(conn: sqlite3.Connection, now: int, retention_s: int = RETENTION_S) -> PurgeResult:
    cutoff = now - retention_s
    unsent = conn.execute("DELETE FROM events WHERE ts < ? AND sent IS NULL", (cutoff,)).rowcount
    sent = conn.execute("DELETE FROM events WHERE ts < ?", (cutoff,)).rowcount
    if unsent:
        log.warning("retention purge deleted %d scan events that were never uploaded", unsent)
    if unsent or sent:
        log.info("retention purge deleted %d scan events older than %d days", unsent + sent, retention_s // 86400)
    return PurgeResult(unsent + sent, unsent)
