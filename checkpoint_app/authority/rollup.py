"""Scan counts per hour and per day, per county and facet, kept up to date at ingest.

The dashboard and the report read only these tables: a month of a province's scans
(tens of millions of events) is a few hundred thousand count rows. Each ingest batch adds
its counts in the same transaction as its events, so the counts equal what `scans.stats`
would compute from the events, on SQLite and on PostgreSQL, with several writers (the
upsert adds to the row under its lock; keys are written in sorted order, so two writers
never wait on each other in a cycle).

Facets: `all` (every event), `color`, `action`, `fever` (true/false/unknown) with the
values that `/v1/stats` reports, `refused` (the action of an event with allow false), and
`origin`: `id_lookup` (spec 5.1 `source`), `manual` (`source` manual, or `kind` manual
before version 1.1 added `source`), else `code`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from checkpoint_app.authority.db import scan_counts_day, scan_counts_hour, scans

Key = tuple[Any, str, str, str]  # (hour or day, region, facet, value)


def value_key(value: object) -> str:
    """The same spelling as the keys of `/v1/stats` (scans._key)."""
    return "unknown" if value is None else str(value).lower()


def origin(body: str) -> str:
    """From the stored body (scans._row writes it with json.dumps' default separators, so a
    key and its value appear exactly so, and quotes inside values are escaped), in any letter
    case like the colours (`/v1/stats` counts the same in SQL: scans._source)."""
    body = body.lower()
    if '"source": "id_lookup"' in body:
        return "id_lookup"
    if '"source": "manual"' in body or ('"source": null' in body and '"kind": "manual"' in body):
        return "manual"
    return "code"


def facets(color: object, action: object, fever: object, allow: bool, origin: str) -> list[tuple[str, str]]:
    out = [("all", ""), ("color", value_key(color)), ("action", value_key(action)), ("fever", value_key(fever)),
           ("origin", origin)]
    if not allow:
        out.append(("refused", value_key(action)))
    return out


def count(rows: Iterable[Mapping[str, Any]]) -> tuple[Counter[Key], Counter[Key]]:
    """Hourly and daily counts of ingest rows (scans.parse_batch's dicts). The events of a
    batch fall into few distinct kinds: count those, then spread each over its facets."""
    kinds = Counter((r["ts"] - r["ts"] % 3600, r["day"], r["region"], r["color"], r["action"], r["fever"],
                     bool(r["allow"]), origin(r["body"])) for r in rows)
    hours: Counter[Key] = Counter()
    days: Counter[Key] = Counter()
    for (hour, day, region, color, action, fever, allow, source), n in kinds.items():
        for facet, value in facets(color, action, fever, allow, source):
            hours[(hour, region, facet, value[:64])] += n
            days[(day, region, facet, value[:64])] += n
    return hours, days


def add(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add the counts of newly stored events, inside the caller's transaction."""
    if not rows:
        return
    hours, days = count(rows)
    upsert(conn, scan_counts_hour, hours)
    upsert(conn, scan_counts_day, days)


def upsert(conn: Connection, table: Table, counts: Mapping[Key, int]) -> None:
    """Add counts to their rows, in key order. Straight to the driver: at ingest this runs
    for every batch, and SQLAlchemy's per-row work would cost a tenth of the ingest rate.
    PostgreSQL gets one statement with a column per array (executemany sent a statement per
    row); SQLite, which has no arrays, an executemany."""
    if not counts:
        return
    if conn.dialect.name not in ("sqlite", "postgresql"):
        raise ValueError(f"the scan counts need SQLite or PostgreSQL, not {conn.dialect.name}")
    keys = [c.name for c in table.primary_key.columns]
    rows = [(*key, n) for key, n in sorted(counts.items())]
    update = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table.name}.n + excluded.n"
    if conn.dialect.name == "postgresql":
        types = [_PG_TYPES[type(value)] for value in rows[0]]
        arrays = ", ".join(f"%b::{t}[]" for t in types)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(keys)}, n) SELECT * FROM unnest({arrays}) {update}",
                             tuple(list(column) for column in zip(*rows, strict=True)))
        return
    marks = ", ".join(["?"] * (len(keys) + 1))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(keys)}, n) VALUES ({marks}) {update}", rows)


_PG_TYPES = {int: "bigint", str: "text"}


def rebuild(engine: Engine, chunk: int = 50_000) -> int:
    """Recount everything from the stored events (a database from before the counts existed,
    or after a restore). Returns the number of events counted."""
    with engine.begin() as conn:
        conn.execute(scan_counts_hour.delete())
        conn.execute(scan_counts_day.delete())
        total = 0
        cols = [scans.c.ts, scans.c.day, scans.c.region, scans.c.color, scans.c.action, scans.c.fever,
                scans.c.allow, scans.c.body]
        # yield_per on the statement only: the upserts below must not run on a server-side cursor.
        result = conn.execute(select(*cols).execution_options(yield_per=chunk))
        for part in result.partitions(chunk):
            hours, days = count(r._asdict() for r in part)
            upsert(conn, scan_counts_hour, hours)
            upsert(conn, scan_counts_day, days)
            total += len(part)
    return total
