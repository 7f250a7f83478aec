"""Bulk operator work from CSV files: registering checkpoints (with a token sheet), importing
statuses, revoking a checkpoint's token. The dashboard's operator pages call these; the
province-scale commands (issue 12) may make them faster behind the same functions.

Every file is checked whole before anything is written: a bad line is refused with its
line number and nothing of the file is applied."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from checkpoint_app.authority import statuslog
from checkpoint_app.authority.db import checkpoint_health, checkpoints
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.authority.platform import Authority, token_hash
from checkpoint_app.core.codes.claims import Color

CST = dt.timezone(dt.timedelta(hours=8))
MAX_ROWS = 1_000_000


class BulkError(ValueError):
    """A file that cannot be applied; the message names the line."""


@dataclass(frozen=True)
class CheckpointSpec:
    checkpoint_id: str
    venue_id: str = ""
    venue_type: str = ""


@dataclass(frozen=True)
class SheetRow:
    checkpoint_id: str
    venue_id: str
    token: str  # empty when the checkpoint was registered before (its token is unchanged)


def _rows(text: str, required: str) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or required not in [f.strip() for f in reader.fieldnames]:
        raise BulkError(f"line 1: the header row must name the column {required!r}")
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise BulkError(f"more than {MAX_ROWS:,} rows: split the file")
        if None in row:
            raise BulkError(f"line {number}: more fields than the header names")
        yield number, {k.strip(): (v or "").strip() for k, v in row.items()}


def parse_checkpoints(text: str) -> list[CheckpointSpec]:
    """checkpoint_id[,venue_id[,venue_type]] with a header row."""
    specs: dict[str, CheckpointSpec] = {}
    for number, row in _rows(text, "checkpoint_id"):
        cid = row["checkpoint_id"]
        if not cid or "." in cid or len(cid) > 64 or not cid.isprintable():
            raise BulkError(f"line {number}: a checkpoint id is 1-64 printable characters without '.'")
        if cid in specs:
            raise BulkError(f"line {number}: checkpoint {cid} is listed twice")
        venue = row.get("venue_id", "")
        if venue and not (len(venue) <= 64 and venue[:6].isdigit()):
            raise BulkError(f"line {number}: a venue id starts with the six-digit division code, e.g. 140105-mall-0007")
        specs[cid] = CheckpointSpec(cid, venue, row.get("venue_type", "")[:32])
    return list(specs.values())


def register_checkpoints(authority: Authority, specs: list[CheckpointSpec]) -> list[SheetRow]:
    """Register the checkpoints not yet registered, each with a new token; those already
    registered keep theirs (a re-run after an interruption gives no one a new token)."""
    now = int(authority.clock())
    with authority.engine.begin() as conn:
        held = set(conn.execute(select(checkpoints.c.checkpoint_id)).scalars())
        sheet = [SheetRow(s.checkpoint_id, s.venue_id,
                          "" if s.checkpoint_id in held else f"{s.checkpoint_id}.{secrets.token_urlsafe(24)}")
                 for s in specs]
        new = [{"checkpoint_id": r.checkpoint_id, "token_sha256": token_hash(r.token), "created_at": now}
               for r in sheet if r.token]
        if new:
            conn.execute(checkpoints.insert(), new)
        _set_venues(conn, [s for s in specs if s.venue_id])
    return sheet


def _set_venues(conn: Connection, specs: list[CheckpointSpec]) -> None:
    """The venue a checkpoint was registered for, until it reports one itself (a checkpoint
    that has been seen keeps what it reported)."""
    h = checkpoint_health
    seen = {cid: last for cid, last in conn.execute(select(h.c.checkpoint_id, h.c.last_seen))}
    rows = [{"b_id": s.checkpoint_id, "b_venue": s.venue_id, "b_type": s.venue_type or None, "b_region": s.venue_id[:6]}
            for s in specs if seen.get(s.checkpoint_id) is None]
    fresh = [r for r in rows if r["b_id"] not in seen]
    if fresh:
        conn.execute(h.insert().values(checkpoint_id=bindparam("b_id"), venue_id=bindparam("b_venue"),
                                       venue_type=bindparam("b_type"), region=bindparam("b_region")), fresh)
    older = [r for r in rows if r["b_id"] in seen]
    if older:
        conn.execute(update(h).where(h.c.checkpoint_id == bindparam("b_id"))
                     .values(venue_id=bindparam("b_venue"), venue_type=bindparam("b_type"),
                             region=bindparam("b_region"), revoked_at=None), older)


def token_sheet(rows: list[SheetRow]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["checkpoint_id", "venue_id", "token", "note"])
    for r in rows:
        w.writerow([r.checkpoint_id, r.venue_id, r.token, "" if r.token else "registered before; token unchanged"])
    return out.getvalue()


def _effective(text: str, number: int, now: int) -> int:
    if not text:
        return now
    if text.isdigit():
        return int(text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BulkError(f"line {number}: effective_at is Unix seconds or YYYY-MM-DD HH:MM (China time)") from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=CST)).timestamp())


def _status_hid(row: dict[str, str], number: int, hid_key: bytes | None) -> bytes:
    if row.get("hid"):
        try:
            hid = bytes.fromhex(row["hid"])
        except ValueError:
            hid = b""
        if len(hid) != 16:
            raise BulkError(f"line {number}: hid is 32 hex digits")
        return hid
    if not row.get("id_number"):
        raise BulkError(f"line {number}: give a hid or an id_number")
    if hid_key is None:
        raise BulkError(f"line {number}: ID numbers need the authority's hid key (not configured)")
    return hid_for(hid_key, row["id_number"])


def parse_statuses(text: str, now: int, hid_key: bytes | None = None) -> list[statuslog.Change]:
    """hid or id_number, color (green/yellow/red), reasons ('103;201'), effective_at.
    ID numbers become hids at once; they are neither kept nor returned."""
    changes: list[statuslog.Change] = []
    for number, row in _rows(text, "color"):
        try:
            color = Color[row["color"].upper()]
        except KeyError:
            raise BulkError(f"line {number}: color is green, yellow or red") from None
        parts = [p for p in row.get("reasons", "").replace(",", ";").split(";") if p.strip()]
        if not all(p.strip().isdigit() and len(p.strip()) <= 4 for p in parts):
            raise BulkError(f"line {number}: reasons are numbers separated by ';'")
        at = _effective(row.get("effective_at", ""), number, now)
        changes.append((_status_hid(row, number, hid_key), int(color), tuple(int(p) for p in parts), at))
    return changes


def revoke_checkpoint(engine: Engine, checkpoint_id: str, now: int) -> bool:
    """Forget the checkpoint's token (its requests get 401 from now on); its health and
    counts stay. False if it was not registered."""
    with engine.begin() as conn:
        gone = conn.execute(delete(checkpoints).where(checkpoints.c.checkpoint_id == checkpoint_id)).rowcount > 0
        if gone:
            marked = conn.execute(update(checkpoint_health).where(checkpoint_health.c.checkpoint_id == checkpoint_id)
                                  .values(revoked_at=now)).rowcount
            if not marked:
                conn.execute(checkpoint_health.insert().values(checkpoint_id=checkpoint_id, revoked_at=now))
    return gone
