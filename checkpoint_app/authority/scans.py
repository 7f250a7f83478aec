"""Scan ingest (idempotent on event_id) and the statistics (spec section 5).

Only whitelisted fields are read from an event, and the stored body is rebuilt from
them: a checkpoint that sent a name or a document number by mistake would not get it
kept here."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, case, func, literal, select

from checkpoint_app.authority import rollup, scan_checks
from checkpoint_app.authority.db import scans
from checkpoint_app.authority.scan_checks import BadEvent, check_event, event_id_of

CHINA_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no daylight saving time since 1991
FIELDS = tuple(scan_checks.FIELDS)  # what is kept of an event: nothing else it carries
FEVER_C = 37.3


class BadBatch(ValueError):
    """The upload body is not a batch at all: 400, nothing stored."""


@dataclass(frozen=True)
class Rejected:
    event_id: str | None  # None: the event had no usable id to name it by
    error: str


@dataclass(frozen=True)
class IngestResult:
    accepted: list[str]
    duplicates: list[str]
    rejected: list[Rejected] = field(default_factory=list)


def day_of(ts: int) -> str:
    return _day((ts + CHINA_OFFSET_S) // 86400)


@functools.lru_cache(maxsize=64)  # a batch's events fall on a day or two: one date computed per day
def _day(days_since_epoch: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=days_since_epoch)).isoformat()


# The stored body, as json.dumps(body, ensure_ascii=False) writes it (rollup.origin reads it
# so); one encoder, not one built per event as json.dumps does for a non-default argument.
_BODY = json.JSONEncoder(ensure_ascii=False)


def _row(checkpoint_id: str, ev: dict[str, Any]) -> dict[str, Any]:
    """The stored row of a checked event (scan_checks.check_event)."""
    temp = ev.get("temperature_c")
    venue_id = ev.get("venue_id") or ""
    body = {k: ev.get(k) for k in FIELDS}
    return {
        "event_id": ev["event_id"], "checkpoint_id": checkpoint_id, "ts": ev["ts"], "day": day_of(ev["ts"]),
        "region": venue_id[:6] if venue_id[:6].isdigit() else (ev.get("iss") or "")[:6],
        "venue_type": (ev.get("venue_type") or "")[:32], "color": ev.get("color") or "none",
        "action": ev["action"], "fever": None if temp is None else temp >= FEVER_C,
        "allow": ev.get("allow") is True, "body": _BODY.encode(body),
    }


def parse_batch(checkpoint_id: str, body: Any) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """(rows of the events to take, the events rejected); BadBatch when the body is no batch."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise BadBatch("body is not {checkpoint_id, events: [...]}")
    if body.get("checkpoint_id") != checkpoint_id:
        raise PermissionError("checkpoint_id does not match the token")
    rows: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for ev in body["events"]:
        try:
            rows.append(_row(checkpoint_id, check_event(ev)))
        except BadEvent as exc:
            rejected.append(Rejected(event_id_of(ev), str(exc)))
    return rows, rejected


def ingest(engine: Engine, rows: list[dict[str, Any]], rejected: list[Rejected] | None = None) -> IngestResult:
    """Insert the new events; those already held (or repeated in the batch) are duplicates."""
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        fresh.setdefault(row["event_id"], row)
    with engine.begin() as conn:
        # In event_id order: two batches sharing events, stored at once, then wait on each
        # other's rows in one order, never in a cycle.
        stored = _insert_new(conn, [fresh[eid] for eid in sorted(fresh)]) if fresh else set()
        rollup.add(conn, [row for eid, row in fresh.items() if eid in stored])
    accepted: list[str] = []
    duplicates: list[str] = []
    for row in rows:
        eid = row["event_id"]
        if eid in stored:
            stored.discard(eid)  # a second copy in the same batch is a duplicate
            accepted.append(eid)
        else:
            duplicates.append(eid)
    return IngestResult(accepted, duplicates, list(rejected or ()))


_COLUMNS = ("event_id", "checkpoint_id", "ts", "day", "region", "venue_type", "color", "action", "fever", "allow",
            "body")
_PG_TYPES = ("text", "text", "bigint", "text", "text", "text", "text", "text", "boolean", "boolean", "text")
# One statement for the whole batch on PostgreSQL: the rows as one array per column, and the
# unique index decides which are new. No read first, so no plan for it to go wrong (a prepared
# `IN (...)` planned on the empty table of a new database kept a sequential scan: 13 ms per
# batch), and a parallel request with the same event waits on its row lock, then skips it.
_PG_INSERT = (f"INSERT INTO scans ({', '.join(_COLUMNS)})"
              f" SELECT * FROM unnest({', '.join(f'%b::{t}[]' for t in _PG_TYPES)})"
              " ON CONFLICT (event_id) DO NOTHING RETURNING event_id")


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Store the rows whose event_id is not held yet; the ids of those stored. Straight to the
    driver: SQLAlchemy's per-row parameter processing cost more than the insert itself."""
    if conn.dialect.name == "postgresql":
        return set(conn.exec_driver_sql(_PG_INSERT, tuple([r[c] for r in rows] for c in _COLUMNS)).scalars())
    ids = [r["event_id"] for r in rows]
    held = set(conn.execute(select(scans.c.event_id).where(scans.c.event_id.in_(ids))).scalars())
    new = [r for r in rows if r["event_id"] not in held]
    if new:
        conn.exec_driver_sql(f"INSERT INTO scans ({', '.join(_COLUMNS)}) VALUES ({', '.join(['?'] * len(_COLUMNS))})",
                             [tuple(r[c] for c in _COLUMNS) for r in new])
    return {r["event_id"] for r in new}


def stats(engine: Engine, ts_from: int, ts_to: int) -> dict[str, Any]:
    """Counts per day, region, colour, action, fever and source for scans with ts_from <= ts < ts_to,
    from the events themselves (the dashboard reads the count tables, rollup.py)."""
    window = (scans.c.ts >= ts_from, scans.c.ts < ts_to)
    out: dict[str, Any] = {"from": ts_from, "to": ts_to}
    with engine.connect() as conn:
        out["total"] = conn.execute(select(func.count()).select_from(scans).where(*window)).scalar_one()
        for name, col in (*((n, scans.c[n]) for n in ("day", "region", "color", "action", "fever")),
                          ("source", _source())):
            rows = conn.execute(select(col, func.count()).where(*window).group_by(col)).all()
            out[f"by_{name}"] = {_key(value): n for value, n in sorted(rows, key=lambda r: _key(r[0]))}
    return out


def _source() -> ColumnElement[str]:
    """The event's source as rollup.origin reads it from the stored body, in SQL: `id_lookup`
    (spec 5.1), `manual` (or `kind` manual before 1.1 added `source`), else `code`, in any
    letter case like the colours. The body is json.dumps' (_row): a key and its value appear
    exactly so, and a quote inside a value is escaped, so no text a checkpoint sends can look
    like one."""
    body = scans.c.body
    manual = body.icontains('"source": "manual"', autoescape=True) | (
        body.icontains('"source": null', autoescape=True) & body.icontains('"kind": "manual"', autoescape=True))
    source: ColumnElement[str] = case((body.icontains('"source": "id_lookup"', autoescape=True), literal("id_lookup")),
                                      (manual, literal("manual")), else_=literal("code"))
    return source


def _key(value: object) -> str:
    return "unknown" if value is None else str(value).lower()
