"""Bulk operator work from CSV files: registering checkpoints (with a token sheet), reading
status files (status_import.py applies them), revoking a checkpoint's token. The
dashboard's operator pages and the commands `register-checkpoints` and `import-statuses`
call these.

Every file is checked whole before anything is written: a bad line is refused with its
line number and nothing of the file is applied. Registration goes REGISTER_CHUNK
checkpoints per transaction, so an interrupted run leaves whole chunks, and a re-run
registers the rest.

Tokens from a key: with a token key (a secret file, like the hid key), a checkpoint's
token is an HMAC-SHA256 of its id under that key. A re-run then writes the same tokens
again, so a token sheet lost with an interruption is written whole by the next run. A
keyed hash is enough, with no slow key-derivation function: the key is 32 random bytes
and each token carries 192 bits of its output, so neither the key nor another token can
be guessed from tokens or from the SHA-256 the database keeps; a KDF only helps where
the secret is weak, like a password. A revoked checkpoint is not registered again from a
key (it would get its revoked token back); `register-checkpoint` gives it a new random
token."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from checkpoint_app.authority import statuslog
from checkpoint_app.authority.db import bump, checkpoint_health, checkpoints
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.tokens import token_hash
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.events import TS_MAX, TS_MIN
from checkpoint_app.core.identity import normalize, problem

CST = dt.timezone(dt.timedelta(hours=8))
MAX_ROWS = 1_000_000  # per file from the dashboard; the command takes more
REGISTER_CHUNK = 10_000
_COLORS = {c.name.lower(): int(c) for c in Color}
FORMULA_START = frozenset("=+-@\t\r")  # what makes a spreadsheet cell a formula (CSV injection)


class BulkError(ValueError):
    """A file that cannot be applied; the message names the line."""


@dataclass(frozen=True)
class CheckpointSpec:
    checkpoint_id: str
    venue_id: str = ""
    venue_type: str = ""


NOTE_BEFORE = "registered before; token unchanged"
NOTE_REVOKED = "revoked: not registered again; register-checkpoint gives it a new token"


@dataclass(frozen=True)
class SheetRow:
    checkpoint_id: str
    venue_id: str
    token: str  # empty when it was registered before with a token not derived from this key
    note: str = ""


def _rows(text: str, required: str) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    number, header = 1, False
    try:
        if reader.fieldnames is None or required not in [f.strip() for f in reader.fieldnames]:
            raise BulkError(f"line 1: the header row must name the column {required!r}")
        header = True
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise BulkError(f"more than {MAX_ROWS:,} rows: split the file")
            if None in row:
                raise BulkError(f"line {number}: more fields than the header names")
            yield number, {k.strip(): (v or "").strip() for k, v in row.items()}
    except csv.Error as exc:
        raise _not_csv(number + 1 if header else 1, exc) from None


def _not_csv(number: int, exc: csv.Error) -> BulkError:
    """A field over the csv module's 128 KB, a quote left open...: a 400, never a 500."""
    return BulkError(f"line {number}: not a CSV line ({exc})")


def _id_problem(cid: str) -> str | None:
    if not cid or "." in cid or len(cid) > 64 or not cid.isprintable():
        return "a checkpoint id is 1-64 printable characters without '.'"
    if cid[0] in FORMULA_START:
        # The token sheet starts each token with the id: a spreadsheet would run it as a formula.
        return "a checkpoint id does not start with = + - or @"
    return None


def parse_checkpoints(text: str) -> list[CheckpointSpec]:
    """checkpoint_id[,venue_id[,venue_type]] with a header row."""
    specs: dict[str, CheckpointSpec] = {}
    for number, row in _rows(text, "checkpoint_id"):
        cid = row["checkpoint_id"]
        if wrong := _id_problem(cid):
            raise BulkError(f"line {number}: {wrong}")
        if cid in specs:
            raise BulkError(f"line {number}: checkpoint {cid} is listed twice")
        venue, kind = row.get("venue_id", ""), row.get("venue_type", "")
        if venue and not (len(venue) <= 64 and venue[:6].isascii() and venue[:6].isdigit() and venue.isprintable()):
            raise BulkError(f"line {number}: a venue id starts with the six-digit division code, e.g. 140105-mall-0007")
        if not kind.isprintable():
            raise BulkError(f"line {number}: a venue type is printable text")
        specs[cid] = CheckpointSpec(cid, venue, kind[:32])
    return list(specs.values())


def derived_token(token_key: bytes, checkpoint_id: str) -> str:
    digest = hmac.new(token_key, b"checkpoint-token\0" + checkpoint_id.encode(), hashlib.sha256).digest()
    return f"{checkpoint_id}.{base64.urlsafe_b64encode(digest[:24]).decode()}"


def register_checkpoints(authority: Authority, specs: list[CheckpointSpec],
                         token_key: bytes | None = None) -> list[SheetRow]:
    """Register the checkpoints not yet registered, each with a new token (random, or derived
    from `token_key`); those already registered keep theirs (a re-run after an interruption
    gives no one a new token, and with a token key shows theirs again)."""
    sheet: list[SheetRow] = []
    for i in range(0, len(specs), REGISTER_CHUNK):
        with authority.engine.begin() as conn:
            sheet += _register_chunk(conn, specs[i:i + REGISTER_CHUNK], token_key, int(authority.clock()))
    authority.tokens_changed()
    return sheet


def _register_chunk(conn: Connection, specs: list[CheckpointSpec], token_key: bytes | None,
                    now: int) -> list[SheetRow]:
    ids = [s.checkpoint_id for s in specs]
    held = dict(conn.execute(select(checkpoints.c.checkpoint_id, checkpoints.c.token_sha256)
                             .where(checkpoints.c.checkpoint_id.in_(ids))).all())
    revoked = set() if token_key is None else set(conn.execute(
        select(checkpoint_health.c.checkpoint_id).where(checkpoint_health.c.checkpoint_id.in_(ids),
                                                        checkpoint_health.c.revoked_at.is_not(None))).scalars())
    sheet, new = [], []
    for s in specs:
        token = derived_token(token_key, s.checkpoint_id) if token_key else \
            f"{s.checkpoint_id}.{secrets.token_urlsafe(24)}"
        if s.checkpoint_id in held:
            same = token_key is not None and held[s.checkpoint_id] == token_hash(token)
            sheet.append(SheetRow(s.checkpoint_id, s.venue_id, token if same else "", NOTE_BEFORE))
        elif s.checkpoint_id in revoked:
            sheet.append(SheetRow(s.checkpoint_id, s.venue_id, "", NOTE_REVOKED))
        else:
            sheet.append(SheetRow(s.checkpoint_id, s.venue_id, token, ""))
            new.append({"checkpoint_id": s.checkpoint_id, "token_sha256": token_hash(token), "created_at": now})
    if new:
        conn.execute(checkpoints.insert(), new)
        bump(conn, "checkpoints")
    _set_venues(conn, [s for s in specs if s.venue_id and s.checkpoint_id not in revoked])
    return sheet


def _set_venues(conn: Connection, specs: list[CheckpointSpec]) -> None:
    """The venue a checkpoint was registered for, until it reports one itself (a checkpoint
    that has been seen keeps what it reported)."""
    h = checkpoint_health
    ids = [s.checkpoint_id for s in specs]
    seen = dict(conn.execute(select(h.c.checkpoint_id, h.c.last_seen).where(h.c.checkpoint_id.in_(ids))).all())
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
        w.writerow([r.checkpoint_id, r.venue_id, r.token, r.note])
    return out.getvalue()


def _effective(text: str, number: int, now: int) -> int:
    """Never echoes the text: a column shifted by one puts an ID number here."""
    if not text:
        return now
    wrong = BulkError(f"line {number}: effective_at is Unix seconds or YYYY-MM-DD HH:MM (China time)"
                      " between 2020-01-01 and 2100-01-01")
    try:
        if text.isascii() and text.isdigit():
            at = int(text) if len(text) <= 12 else -1
        else:
            moment = dt.datetime.fromisoformat(text)
            at = int((moment if moment.tzinfo else moment.replace(tzinfo=CST)).timestamp())
    except (ValueError, OverflowError):
        raise wrong from None
    if not TS_MIN <= at < TS_MAX:
        raise wrong
    return at


def _status_hid(hid_text: str, id_number: str, number: int, hid_key: bytes | None) -> bytes:
    if hid_text:
        try:
            hid = bytes.fromhex(hid_text)
        except ValueError:
            hid = b""
        if len(hid) != 16:
            raise BulkError(f"line {number}: hid is 32 hex digits")
        return hid
    if not id_number:
        raise BulkError(f"line {number}: give a hid or an id_number")
    if hid_key is None:
        raise BulkError(f"line {number}: ID numbers need the authority's hid key (not configured)")
    # Checked as `set-status` checks it: a number a spreadsheet mangled (1.10101E+17, a lost X)
    # or mistyped would hash to a hid nobody holds, and the red code would silently go nowhere.
    id_number = normalize(id_number)
    if found := problem(id_number):
        raise BulkError(f"line {number}: id_number is not a valid resident ID number ({found})")
    return hid_for(hid_key, id_number)


def _reasons(text: str, number: int) -> tuple[int, ...]:
    reasons = _reasons_of(text)
    if reasons is None:
        raise BulkError(f"line {number}: reasons are numbers separated by ';'")
    return reasons


@functools.lru_cache(maxsize=4096)  # a file has a million rows and a few distinct reason lists
def _reasons_of(text: str) -> tuple[int, ...] | None:
    parts = [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def parse_statuses(text: str, now: int, hid_key: bytes | None = None,
                   max_rows: int = MAX_ROWS) -> list[statuslog.Change]:
    """hid or id_number, color (green/yellow/red), reasons ('103;201'), effective_at.
    ID numbers become hids at once; they are neither kept nor returned. A plain csv.reader
    and few checks per row: a million rows take about 3 s (DictReader alone took 2 s more)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise _not_csv(1, exc) from None
    if "color" not in header:
        raise BulkError("line 1: the header row must name the column 'color'")
    try:
        return _status_rows(reader, header, now, hid_key, max_rows)
    except csv.Error as exc:
        raise _not_csv(reader.line_num, exc) from None


def _status_rows(reader: Iterable[list[str]], header: list[str], now: int, hid_key: bytes | None,
                 max_rows: int) -> list[statuslog.Change]:
    pad = [""] * len(header)
    at = {name: header.index(name) if name in header else len(header)
          for name in ("hid", "id_number", "color", "reasons", "effective_at")}
    changes: list[statuslog.Change] = []
    for number, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) > len(header):
            raise BulkError(f"line {number}: more fields than the header names")
        if len(changes) >= max_rows:
            raise BulkError(f"more than {max_rows:,} rows: split the file")
        row = [f.strip() for f in fields] + pad
        color = _COLORS.get(row[at["color"]].lower())
        if color is None:
            raise BulkError(f"line {number}: color is green, yellow or red")
        changes.append((_status_hid(row[at["hid"]], row[at["id_number"]], number, hid_key), color,
                        _reasons(row[at["reasons"]], number), _effective(row[at["effective_at"]], number, now)))
    return changes


def revoke_checkpoint(engine: Engine, checkpoint_id: str, now: int) -> bool:
    """Forget the checkpoint's token (its requests get 401 from now on); its health and
    counts stay. False if it was not registered."""
    with engine.begin() as conn:
        gone = conn.execute(delete(checkpoints).where(checkpoints.c.checkpoint_id == checkpoint_id)).rowcount > 0
        if gone:
            bump(conn, "checkpoints")
            marked = conn.execute(update(checkpoint_health).where(checkpoint_health.c.checkpoint_id == checkpoint_id)
                                  .values(revoked_at=now)).rowcount
            if not marked:
                conn.execute(checkpoint_health.insert().values(checkpoint_id=checkpoint_id, revoked_at=now))
    return gone
