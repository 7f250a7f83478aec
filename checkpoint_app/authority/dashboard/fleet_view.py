"""The fleet page's rows: every registered checkpoint with what it last told us.

The database holds each checkpoint's health as written at most once a minute (fleet.py);
this process's newer records in memory are laid over it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Engine, select

from checkpoint_app.authority.db import checkpoint_health, checkpoints
from checkpoint_app.authority.fleet import Health
from checkpoint_app.authority.regions import OTHER, Divisions

OFFLINE_AFTER_S = 3600
CLOCK_SKEW_S = 300  # the default policy's clock_skew_s


@dataclass(frozen=True)
class FleetRow:
    checkpoint_id: str
    created_at: int
    venue_id: str | None
    venue_type: str | None
    region: str | None
    version: str | None
    clock_offset: int | None
    waiting: int | None
    last_seen: int | None
    last_sync: int | None
    last_upload: int | None
    city: str
    offline: bool

    @property
    def clock_wrong(self) -> bool:
        return self.clock_offset is not None and abs(self.clock_offset) > CLOCK_SKEW_S


@dataclass(frozen=True)
class CityFleet:
    checkpoints: int = 0
    offline: int = 0
    never_seen: int = 0


_HEALTH = ("venue_id", "venue_type", "region", "version", "clock_offset", "waiting", "last_seen", "last_sync",
           "last_upload")


def fleet(engine: Engine, live: dict[str, Health], now: int, divisions: Divisions) -> list[FleetRow]:
    h = checkpoint_health
    q = (select(checkpoints.c.checkpoint_id, checkpoints.c.created_at, *(h.c[c] for c in _HEALTH))
         .select_from(checkpoints.outerjoin(h, h.c.checkpoint_id == checkpoints.c.checkpoint_id)))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    out = [_row(_overlay(r, live.get(r["checkpoint_id"])), now, divisions) for r in rows]
    out.sort(key=lambda r: (not r.offline, r.city, r.checkpoint_id))
    return out


def _overlay(row: dict[str, Any], mine: Health | None) -> dict[str, Any]:
    if mine is None or (row["last_seen"] or 0) > mine.last_seen:
        return row
    newer = {f.name: getattr(mine, f.name) for f in fields(mine) if f.name in _HEALTH}
    newer["region"] = mine.region
    return {**row, **{k: v for k, v in newer.items() if v is not None}}


def _row(r: dict[str, Any], now: int, divisions: Divisions) -> FleetRow:
    seen = r["last_seen"] if r["last_seen"] is not None else r["created_at"]
    city = divisions.city_of(r["region"]) if r["region"] else OTHER
    return FleetRow(**{k: r[k] for k in ("checkpoint_id", "created_at", *_HEALTH)}, city=city,
                    offline=now - seen > OFFLINE_AFTER_S)


def per_city(rows: list[FleetRow]) -> dict[str, CityFleet]:
    total, offline, never = Counter[str](), Counter[str](), Counter[str]()
    for r in rows:
        total[r.city] += 1
        offline[r.city] += r.offline
        never[r.city] += r.last_seen is None
    return {c: CityFleet(total[c], offline[c], never[c]) for c in total}


def revoked(engine: Engine) -> list[tuple[str, int]]:
    """Checkpoints whose token was revoked and that were not registered again."""
    h = checkpoint_health
    q = (select(h.c.checkpoint_id, h.c.revoked_at).where(h.c.revoked_at.is_not(None))
         .where(h.c.checkpoint_id.not_in(select(checkpoints.c.checkpoint_id))).order_by(h.c.revoked_at.desc()))
    with engine.connect() as conn:
        return [(r[0], int(r[1])) for r in conn.execute(q)]
