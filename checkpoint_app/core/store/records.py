"""Reading the scan records back (the export, the window's statistics), each with where it
stands with the upload: waiting, sent, or rejected with the platform's reason (spec 5: a
rejected event stays in the local records, marked)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store.outbox import DamagedRecord, read_event


@dataclass(frozen=True, slots=True)
class Record:
    event: ScanEvent
    upload: str  # "waiting", "sent", or "rejected: <the platform's reason>"


@dataclass(frozen=True, slots=True)
class Records:
    records: list[Record]
    unreadable: int  # rows in the range that cannot be read back (kept in the store, not shown)


def between(conn: sqlite3.Connection, ts_from: int, ts_to: int) -> Records:
    """Records with ts_from <= ts < ts_to, oldest first."""
    rows = conn.execute("SELECT event_id, ts, body, sent, fault FROM events WHERE ts >= ? AND ts < ?"
                        " ORDER BY ts, event_id", (ts_from, ts_to))
    out: list[Record] = []
    unreadable = 0
    for event_id, ts, body, sent, fault in rows:
        try:
            event = read_event(event_id, ts, body)
        except DamagedRecord:
            unreadable += 1
            continue
        out.append(Record(event, fault or ("waiting" if sent is None else "sent")))
    return Records(out, unreadable)
