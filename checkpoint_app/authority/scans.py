"""Scan ingest (idempotent on event_id) and the statistics (spec section 5).

Only whitelisted fields are read from an event, and the stored body is rebuilt from
them: a checkpoint that sent a name or a document number by mistake would not get it
kept here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, select

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
    import datetime as dt

    return dt.datetime.fromtimestamp(ts + CHINA_OFFSET_S, dt.UTC).strftime("%Y-%m-%d")


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
        "allow": ev.get("allow") is True, "body": json.dumps(body, ensure_ascii=False),
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
    accepted: list[str] = []
    duplicates: list[str] = []
    with engine.begin() as conn:
        ids = [r["event_id"] for r in rows]
        held = set(conn.execute(select(scans.c.event_id).where(scans.c.event_id.in_(ids))).scalars())
        fresh: dict[str, dict[str, Any]] = {}
        for row in rows:
            eid = row["event_id"]
            if eid in held or eid in fresh:
                duplicates.append(eid)
            else:
                fresh[eid] = row
                accepted.append(eid)
        if fresh:
            _insert(conn, list(fresh.values()))
            rollup.add(conn, list(fresh.values()))
    return IngestResult(accepted, duplicates, list(rejected or ()))


_COLUMNS = ("event_id", "checkpoint_id", "ts", "day", "region", "venue_type", "color", "action", "fever", "allow",
            "body")


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """One batched insert straight to the driver (executemany; pipelined by psycopg): SQLAlchemy's
    per-row parameter processing cost more than the insert itself."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO scans ({', '.join(_COLUMNS)}) VALUES ({', '.join([mark] * len(_COLUMNS))})",
                         [tuple(r[c] for c in _COLUMNS) for r in rows])


def stats(engine: Engine, ts_from: int, ts_to: int) -> dict[str, Any]:
    """Counts per day, region, colour, action and fever for scans with ts_from <= ts < ts_to."""
    window = (scans.c.ts >= ts_from, scans.c.ts < ts_to)
    out: dict[str, Any] = {"from": ts_from, "to": ts_to}
    with engine.connect() as conn:
        out["total"] = conn.execute(select(func.count()).select_from(scans).where(*window)).scalar_one()
        for name in ("day", "region", "color", "action", "fever"):
            col = scans.c[name]
            rows = conn.execute(select(col, func.count()).where(*window).group_by(col)).all()
            out[f"by_{name}"] = {_key(value): n for value, n in sorted(rows, key=lambda r: _key(r[0]))}
    return out


def _key(value: object) -> str:
    return "unknown" if value is None else str(value).lower()
