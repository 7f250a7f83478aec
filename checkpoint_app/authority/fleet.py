"""The fleet's health: what each checkpoint last told us (spec 1.1 section 5).

A checkpoint MAY send `X-Checkpoint-Version`, `X-Checkpoint-Clock` (its Unix time) and
`X-Checkpoint-Waiting` (events not yet uploaded) with every request. Each server process
keeps the latest per checkpoint in memory (with the times of its last request, status
sync and upload) and writes a checkpoint's record at most once a minute, in batches, from
one background thread per process. Several processes may write the same row: the upsert
keeps the newest of each time, so a slower process never moves a time back.

Headers are optional and never refused: a malformed one is ignored."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, case, func

from checkpoint_app.authority.db import checkpoint_health

log = logging.getLogger("checkpoint.authority.fleet")
WRITE_EVERY_S = 60
FLUSH_POLL_S = 5.0
STOP_WRITER_S = 30.0  # for a write under way to end at stop(): generous, a database may be slow
# the last write at stop() is tried again for this long (a database locked by a backup or an
# import for longer than its own 10 s timeout), well within systemd's 90 s stop timeout
STOP_RETRY_S = 30.0
STOP_RETRY_EVERY_S = 1.0
TS_MIN, TS_MAX = 1_577_836_800, 4_102_444_800  # 2020-01-01 .. 2100-01-01, as for scan events
_VERSION_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_~")


@dataclass(frozen=True)
class Health:
    checkpoint_id: str
    last_seen: int
    last_sync: int | None = None
    last_upload: int | None = None
    version: str | None = None
    clock_offset: int | None = None
    waiting: int | None = None
    venue_id: str | None = None
    venue_type: str | None = None

    @property
    def region(self) -> str | None:
        prefix = (self.venue_id or "")[:6]
        return prefix if len(prefix) == 6 and prefix.isdigit() else None


def _int_header(raw: str | None, low: int, high: int) -> int | None:
    if raw is None or not raw.strip().isascii() or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if low <= value <= high else None


def parse_headers(headers: Mapping[str, str], now: int) -> dict[str, Any]:
    """The optional fleet headers as fields of Health; absent or malformed ones are left out."""
    out: dict[str, Any] = {}
    version = headers.get("X-Checkpoint-Version")
    if version and len(version) <= 32 and set(version) <= _VERSION_OK:
        out["version"] = version
    clock = _int_header(headers.get("X-Checkpoint-Clock"), TS_MIN, TS_MAX)
    if clock is not None:
        out["clock_offset"] = clock - now
    waiting = _int_header(headers.get("X-Checkpoint-Waiting"), 0, 10**12)
    if waiting is not None:
        out["waiting"] = waiting
    return out


@dataclass
class FleetMonitor:
    """Latest health per checkpoint in this process; `flush` writes what is due."""

    engine: Engine
    clock: Callable[[], float]
    write_every_s: int = WRITE_EVERY_S
    _latest: dict[str, Health] = field(default_factory=dict)
    _dirty: set[str] = field(default_factory=set)
    _written_at: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _writer_pid: int | None = None
    _writer: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def observe(self, checkpoint_id: str, headers: Mapping[str, str], *, synced: bool = False,
                uploaded: int | None = None, venue: tuple[str, str] | None = None) -> Health:
        """`uploaded`: the number of events in an upload the platform answered; they left the
        checkpoint's queue with this answer, so they no longer count as waiting."""
        now = int(self.clock())
        fields = parse_headers(headers, now)
        if uploaded is not None and "waiting" in fields:
            fields["waiting"] = max(0, fields["waiting"] - uploaded)
        with self._lock:
            old = self._latest.get(checkpoint_id) or Health(checkpoint_id, now)
            new = replace(old, last_seen=now, **fields)
            if synced:
                new = replace(new, last_sync=now)
            if uploaded is not None:
                new = replace(new, last_upload=now)
            if venue and venue[0]:
                new = replace(new, venue_id=venue[0][:64], venue_type=venue[1][:32] or None)
            self._latest[checkpoint_id] = new
            self._dirty.add(checkpoint_id)
        self._ensure_writer()
        return new

    def snapshot(self) -> dict[str, Health]:
        with self._lock:
            return dict(self._latest)

    def flush(self, force: bool = False) -> int:
        """Write the records changed since their last write, if that was a minute ago (or
        `force`). Returns how many rows were written."""
        now = int(self.clock())
        with self._lock:
            due = [cid for cid in self._dirty
                   if force or now - self._written_at.get(cid, -self.write_every_s) >= self.write_every_s]
            rows = [self._latest[cid] for cid in sorted(due)]
            self._dirty.difference_update(due)
            self._written_at.update((cid, now) for cid in due)
        if rows:
            try:
                write(self.engine, rows)
            except Exception:
                with self._lock:  # not written: due again at the next try, with whatever came since
                    self._dirty.update(due)
                    for cid in due:
                        self._written_at.pop(cid, None)
                raise
        return len(rows)

    def stop(self) -> None:
        """End the writer thread, writing what is still due (lost if the database is away).

        The writer is waited for: a write of its under way when the caller then disposed of
        the engine kept its connection open in the old pool, closed only when collected (on
        PostgreSQL a ResourceWarning at a random later moment)."""
        self._stop.set()
        with self._lock:
            writer = self._writer
        if writer is not None:
            writer.join(STOP_WRITER_S)
        give_up = time.monotonic() + STOP_RETRY_S
        while True:
            try:
                self.flush(force=True)
                return
            except Exception as exc:  # a database locked by another process for longer than its timeout, a full disk
                if time.monotonic() >= give_up or "lock" not in str(exc).lower():  # only a lock passes
                    with self._lock:
                        lost = len(self._dirty)
                    log.error("the health of %d checkpoints was not written: %s", lost, _short(exc))
                    return
                time.sleep(STOP_RETRY_EVERY_S)

    def _ensure_writer(self) -> None:
        # One writer thread per process, started in the process that serves (after a fork too).
        if self._writer_pid == os.getpid():
            return
        with self._lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
            self._writer = threading.Thread(target=self._write_loop, name="fleet-writer", daemon=True)
            self._writer.start()  # under the lock: stop() never sees a writer it cannot join

    def _write_loop(self) -> None:
        failing = False
        while not self._stop.wait(FLUSH_POLL_S):
            try:
                self.flush()
                failing = False
            except Exception as exc:  # the database is away: flush kept the records; try again later
                if not failing:  # once per outage, not every few seconds while it lasts
                    log.error("writing the fleet's health failed (%s); will retry every %.0f s", _short(exc),
                              FLUSH_POLL_S)
                failing = True


def _short(exc: BaseException) -> str:
    """One line for the log: the database's own message, not SQLAlchemy's statement and
    parameters (several KB for a batch of checkpoints)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return f"{type(orig or exc).__name__}: {text[0] if text else ''}"


def _newest(col: str, excluded: Any) -> Any:
    old, new = checkpoint_health.c[col], excluded[col]
    return case((old.is_(None), new), (new.is_(None), old), (new > old, new), else_=old)


def _if_newer(col: str, excluded: Any) -> Any:
    """The reported values (version, clock, waiting, venue) follow the newest request."""
    old, new = checkpoint_health.c[col], excluded[col]
    fresher = func.coalesce(excluded.last_seen, 0) >= func.coalesce(checkpoint_health.c.last_seen, 0)
    return case((new.is_(None), old), (fresher, new), else_=func.coalesce(old, new))


def write(engine: Engine, rows: list[Health]) -> None:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        # the same on_conflict_do_update API as PostgreSQL's insert, which types this function
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(checkpoint_health)
    ex = stmt.excluded
    times = {c: _newest(c, ex) for c in ("last_seen", "last_sync", "last_upload")}
    told = {c: _if_newer(c, ex) for c in ("version", "clock_offset", "waiting", "venue_id", "venue_type", "region")}
    stmt = stmt.on_conflict_do_update(index_elements=["checkpoint_id"], set_={**told, **times})
    values = [{"checkpoint_id": h.checkpoint_id, "last_seen": h.last_seen, "last_sync": h.last_sync,
               "last_upload": h.last_upload, "version": h.version, "clock_offset": h.clock_offset,
               "waiting": h.waiting, "venue_id": h.venue_id, "venue_type": h.venue_type, "region": h.region}
              for h in rows]
    with engine.begin() as conn:
        conn.execute(stmt, values)
