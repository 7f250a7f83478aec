"""Issue 12, item 1: every writer of the platform at once, each in its own process, on SQLite
and on PostgreSQL: two status appenders (some changes scheduled a few seconds ahead), one
status file imported by two processes at once, two scan uploaders sending the same
batches, two registrars, a compaction loop and a page server that publishes the scheduled
changes when due. Afterwards the log has no gap and no repeated seq, holds every change
exactly once (the imported file once, not twice), nothing is left pending, every scan is
stored and counted once, every checkpoint registered.

Before: two `set-status` at once failed now and then with `UNIQUE constraint failed:
status_log.seq` on SQLite."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checkpoint_app.authority.db import checkpoints, make_engine, pending_status, scan_counts_day, scans, status_log
from tests.support import concurrent_writers as cw
from tests.support.postgres import postgres_url

ROLES = [("append", 1), ("append", 2), ("import", 0), ("import", 1), ("ingest", 0), ("ingest", 1),
         ("register", 1), ("register", 2), ("compact", 0), ("serve", 0)]


def _run_all(url: str, now: int) -> None:
    make_engine(url).dispose()  # the schema exists before the writers race
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=cw.run, args=(role, url, start, writer, now)) for role, writer in ROLES]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(procs), "a writer failed (its traceback is above)"


def _check(url: str, now: int) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(status_log.c.seq, status_log.c.hid, status_log.c.color, status_log.c.reasons,
                                   status_log.c.effective_at).order_by(status_log.c.seq)).all()
        head = conn.execute(select(func.max(status_log.c.seq))).scalar()
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) and head == len(rows)  # no gap, no repeat
        logged = Counter((bytes(r.hid), r.color, r.reasons, r.effective_at) for r in rows)
        expected = Counter((h, c, ",".join(map(str, rs)), at) for w in (1, 2)
                           for h, c, rs, at in cw.expected_changes(w, now))
        expected.update((cw.hid(99, i), 2, "103", now - 5) for i in range(3000))
        assert logged == expected  # every change exactly once, the file imported once
        assert conn.execute(select(func.count()).select_from(pending_status)).scalar_one() == 0
        stored = conn.execute(select(func.count()).select_from(scans)).scalar_one()
        counted = conn.execute(select(func.sum(scan_counts_day.c.n)).where(scan_counts_day.c.facet == "all")).scalar()
        assert stored == counted == 30 * 50
        assert conn.execute(select(func.count()).select_from(checkpoints)).scalar_one() == 800
    engine.dispose()


def test_every_writer_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'authority.sqlite3'}"
    now = int(time.time())
    _run_all(url, now)
    _check(url, now)


@pytest.fixture
def pg_url() -> Iterator[str]:
    pgserver = pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    with postgres_url(pgserver) as url:
        yield url


def test_every_writer_at_once_on_postgresql(pg_url: str) -> None:
    now = int(time.time())
    _run_all(pg_url, now)
    _check(pg_url, now)
