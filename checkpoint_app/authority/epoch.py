"""The life of the status log (spec 4.3): its epoch, and the document serials it must never reuse.

A new database starts a new epoch (db.make_engine). So must a platform restored from a
backup, or whose log was rebuilt: its seqs and documents may repeat what checkpoints
already hold, and a checkpoint only notices through the epoch of the pages (it then
rebuilds its cache from since=0). The operator says so with `checkpoint-authority
new-epoch`, which also raises each document's serial floor: the restored database does not
know the serials published after the backup, and a checkpoint that holds one skips a new
document with the same serial (spec 4.1), so the next documents must be numbered above
them all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update

from checkpoint_app.authority.db import counters, documents, random_epoch

KINDS = ("trust-list", "policy")
DEFAULT_SERIAL_GAP = 1000


@dataclass(frozen=True)
class NewEpoch:
    epoch: bytes
    floors: dict[str, int]  # a document published from now on needs a serial above this


def _value(conn: Connection, name: str) -> int:
    value: int = conn.execute(select(counters.c.value).where(counters.c.name == name)).scalar_one()
    return value


def as_bytes(value: int) -> bytes:
    return value.to_bytes(8, "big", signed=True)


def current(conn: Connection) -> bytes:
    return as_bytes(_value(conn, "epoch"))


def serials(conn: Connection) -> tuple[int, int]:
    """The serials of the trust list and the policy served now (0: none yet)."""
    held = {kind: serial for kind, serial in conn.execute(select(documents.c.kind, documents.c.serial))}
    return int(held.get("trust-list", 0)), int(held.get("policy", 0))


def floor(conn: Connection, kind: str) -> int:
    return _value(conn, f"floor:{kind}")


def new_epoch(engine: Engine, serial_gap: int = DEFAULT_SERIAL_GAP) -> NewEpoch:
    """Start a new epoch; each document's next serial must exceed the held one by `serial_gap`."""
    if serial_gap < 0:
        raise ValueError("the serial gap cannot be negative")
    value = random_epoch()
    with engine.begin() as conn:
        conn.execute(update(counters).where(counters.c.name == "epoch").values(value=value))
        held = dict(zip(KINDS, serials(conn), strict=True))
        floors = {}
        for kind in KINDS:
            floors[kind] = max(floor(conn, kind), held[kind]) + serial_gap
            conn.execute(update(counters).where(counters.c.name == f"floor:{kind}").values(value=floors[kind]))
    return NewEpoch(as_bytes(value), floors)
