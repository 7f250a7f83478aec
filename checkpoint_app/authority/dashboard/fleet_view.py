"""The fleet page's rows: every registered checkpoint with what it last told us.

The database holds each checkpoint's health as written at most once a minute (fleet.py);
this process's newer records in memory are laid over it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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


def fleet(engine: Engine, live: dict[str, Health], now: int, divisions: Divisions, *,
          keep: Callable[[FleetRow], bool] | None = None) -> list[FleetRow]:
    """Every registered checkpoint (or those `keep` accepts), the offline ones first."""
    h = checkpoint_health
    q = (select(checkpoints.c.checkpoint_id, checkpoints.c.created_at, *(h.c[c] for c in _HEALTH))
         .select_from(checkpoints.outerjoin(h, h.c.checkpoint_id == checkpoints.c.checkpoint_id)))
    city: dict[str | None, str] = {None: OTHER}
    out: list[FleetRow] = []
    with engine.connect() as conn:
        for r in conn.execute(q):
            values = _overlay(tuple(r), live.get(r[0]))
            region, seen = values[4], values[8]
            if region not in city:
                city[region] = divisions.city_of(region)
            offline = now - (seen if seen is not None else values[1]) > OFFLINE_AFTER_S
            row = FleetRow(*(*values, city[region], offline))
            if keep is None or keep(row):
                out.append(row)
    out.sort(key=lambda r: (not r.offline, r.city, r.checkpoint_id))
    return out


def _overlay(row: tuple[Any, ...], mine: Health | None) -> tuple[Any, ...]:
    """The database's row, with what this process heard more recently laid over it."""
    if mine is None or (row[8] or 0) > mine.last_seen:
        return row
    newer = (mine.venue_id, mine.venue_type, mine.region, mine.version, mine.clock_offset, mine.waiting,
             mine.last_seen, mine.last_sync, mine.last_upload)
    return row[:2] + tuple(old if new is None else new for old, new in zip(row[2:], newer, strict=True))


def tallies(engine: Engine, live: dict[str, Health], now: int, divisions: Divisions,
            by_county: bool = False) -> dict[str, CityFleet]:
    """Checkpoints, offline and never seen per city (or per county), without building rows:
    what the area pages need, at 100,000 checkpoints too."""
    h = checkpoint_health
    q = (select(checkpoints.c.checkpoint_id, checkpoints.c.created_at, h.c.region, h.c.last_seen)
         .select_from(checkpoints.outerjoin(h, h.c.checkpoint_id == checkpoints.c.checkpoint_id)))
    total, offline, never = Counter[str](), Counter[str](), Counter[str]()
    city: dict[str | None, str] = {}
    with engine.connect() as conn:
        for cid, created, region, seen in conn.execute(q):
            mine = live.get(cid)
            if mine is not None and mine.last_seen >= (seen or 0):
                seen, region = mine.last_seen, mine.region or region
            key = (region or OTHER) if by_county else city.get(region) or city.setdefault(
                region, divisions.city_of(region) if region else OTHER)
            total[key] += 1
            offline[key] += now - (seen if seen is not None else created) > OFFLINE_AFTER_S
            never[key] += seen is None
    return {k: CityFleet(total[k], offline[k], never[k]) for k in total}


def revoked(engine: Engine) -> list[tuple[str, int]]:
    """Checkpoints whose token was revoked and that were not registered again."""
    h = checkpoint_health
    q = (select(h.c.checkpoint_id, h.c.revoked_at).where(h.c.revoked_at.is_not(None))
         .where(h.c.checkpoint_id.not_in(select(checkpoints.c.checkpoint_id))).order_by(h.c.revoked_at.desc()))
    with engine.connect() as conn:
        return [(r[0], int(r[1])) for r in conn.execute(q)]
