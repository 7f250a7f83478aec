"""Scan ingest (idempotent on event_id) and the statistics (spec section 5).

Only whitelisted fields are read from an event, and the stored body is rebuilt from
them: a checkpoint that sent a name or a document number by mistake would not get it
kept here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from checkpoint_app.authority import rollup
from checkpoint_app.authority.db import scans

CHINA_OFFSET_S = 8 * 3600  # Asia/Shanghai has had no daylight saving time since 1991
FIELDS = ("event_id", "ts", "venue_id", "venue_type", "hid", "iss", "code_color", "color", "reasons",
          "temperature_c", "mask", "action", "allow", "error", "policy_serial", "operator", "kind",
          "manual_reason", "source")
FEVER_C = 37.3


class BadBatch(ValueError):
    """The upload body is malformed: 400, nothing stored."""


@dataclass(frozen=True)
class IngestResult:
    accepted: list[str]
    duplicates: list[str]


def day_of(ts: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts + CHINA_OFFSET_S, dt.UTC).strftime("%Y-%m-%d")


def _row(checkpoint_id: str, ev: Any) -> dict[str, Any]:
    if not isinstance(ev, dict):
        raise BadBatch("an event is not an object")
    eid, ts, action = ev.get("event_id"), ev.get("ts"), ev.get("action")
    if not (isinstance(eid, str) and 0 < len(eid) <= 64 and isinstance(ts, int) and isinstance(action, str)):
        raise BadBatch("an event lacks a string event_id, an integer ts or an action")
    hid = ev.get("hid")
    if hid is not None and not (isinstance(hid, str) and len(hid) == 32):
        raise BadBatch(f"event {eid}: hid is not 32 hex digits or null")
    temp = ev.get("temperature_c")
    venue_id = str(ev.get("venue_id") or "")
    body = {k: ev.get(k) for k in FIELDS}
    return {
        "event_id": eid, "checkpoint_id": checkpoint_id, "ts": ts, "day": day_of(ts),
        "region": venue_id[:6] if venue_id[:6].isdigit() else str(ev.get("iss") or "")[:6],
        "venue_type": str(ev.get("venue_type") or "")[:32], "color": str(ev.get("color") or "none")[:8],
        "action": action[:64], "fever": None if not isinstance(temp, int | float) else temp >= FEVER_C,
        "allow": bool(ev.get("allow")), "body": json.dumps(body, ensure_ascii=False),
    }


def parse_batch(checkpoint_id: str, body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise BadBatch("body is not {checkpoint_id, events: [...]}")
    if body.get("checkpoint_id") != checkpoint_id:
        raise PermissionError("checkpoint_id does not match the token")
    return [_row(checkpoint_id, ev) for ev in body["events"]]


def ingest(engine: Engine, rows: list[dict[str, Any]]) -> IngestResult:
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
            conn.execute(scans.insert(), list(fresh.values()))
            rollup.add(conn, list(fresh.values()))
    return IngestResult(accepted, duplicates)


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
