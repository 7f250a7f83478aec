"""import-statuses on PostgreSQL (a real server from the pgserver wheel), as an operator runs it.

Into an empty log the whole file goes in one transaction and the index on hid is built
after the rows (status_import.py); into a log that has entries, chunk by chunk with the
index kept. Either way: seq gap-free in the file's order, scheduled rows held, the index
there afterwards, a re-run applies nothing; and an import killed in the middle of the
empty-log load leaves nothing applied and the index in place, and the next run applies it
all. Skipped where pgserver or psycopg is not installed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text

from checkpoint_app.authority import schedule
from checkpoint_app.authority.db import make_engine, status_imports, status_log
from tests.support.authority_process import LAUNCHER, authority_cli
from tests.support.postgres import postgres_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    pgserver = pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    with postgres_url(pgserver) as url:
        yield url


def _log(engine: Engine) -> list[tuple[int, bytes, int, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(status_log.c.seq, status_log.c.hid, status_log.c.color, status_log.c.reasons,
                                   status_log.c.effective_at).order_by(status_log.c.seq)).all()
    return [(seq, bytes(h), c, r, at) for seq, h, c, r, at in rows]


def _hid_indexed(engine: Engine) -> bool:
    return [ix["column_names"] for ix in inspect(engine).get_indexes("status_log")] == [["hid"]]


def _file(path: Path, people: list[bytes], color: str, at: int) -> Path:
    path.write_text("hid,color,reasons,effective_at\n" + "".join(f"{h.hex()},{color},103,{at}\n" for h in people))
    return path


def test_an_empty_log_then_a_full_one_get_every_change_once_in_order(pg_url: str, tmp_path: Path) -> None:
    now, engine = int(time.time()), make_engine(pg_url)
    people = [os.urandom(16) for _ in range(3000)]
    first = _file(tmp_path / "first.csv", people, "red", now - 60)
    with first.open("a") as f:
        f.write(f"{people[5].hex()},green,,{now + 3600}\n")  # a removal later: held, not logged
    out = authority_cli("import-statuses", "--db", pg_url, str(first))
    assert "3001 changes" in out and "3001 applied now" in out
    assert _log(engine) == [(i + 1, h, 2, "103", now - 60) for i, h in enumerate(people)]
    assert schedule.pending(engine, people[5]) == [(people[5], 0, (), now + 3600)]
    assert _hid_indexed(engine)

    second = _file(tmp_path / "second.csv", people[::-1], "yellow", now - 30)  # into a log that has entries
    authority_cli("import-statuses", "--db", pg_url, "--chunk", "700", str(second))
    logged = _log(engine)
    assert [seq for seq, *_ in logged] == list(range(1, 6001))
    assert logged[3000:] == [(3001 + i, h, 1, "103", now - 30) for i, h in enumerate(people[::-1])]
    assert schedule.pending(engine, people[5]) == []  # the newer change cancels the held one
    assert _hid_indexed(engine)
    again = authority_cli("import-statuses", "--db", pg_url, str(first))
    assert "0 applied now" in again and len(_log(engine)) == 6000
    with engine.connect() as conn:  # the index is the one a lookup by person uses
        plan = conn.execute(text("EXPLAIN SELECT seq FROM status_log WHERE hid = :h"), {"h": people[0]}).all()
    assert "ix_status_log_hid" in " ".join(row[0] for row in plan)
    engine.dispose()


def test_killed_during_the_load_into_an_empty_log_it_leaves_nothing_and_the_next_run_does_it_all(
        pg_url: str, tmp_path: Path) -> None:
    now, engine = int(time.time()), make_engine(pg_url)
    people = [os.urandom(16) for _ in range(300_000)]
    path = _file(tmp_path / "s.csv", people, "red", now - 5)
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, "import-statuses", "--db", pg_url, str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, copying = time.monotonic() + 120, False
    while not copying and proc.poll() is None and time.monotonic() < deadline:
        with engine.connect() as conn:
            copying = bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity"
                                             " WHERE query LIKE 'COPY status_log%'")).scalar())
        time.sleep(0.02)
    assert copying, "the import ended before its COPY was seen: nothing was killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the server notices the closed connection and rolls its transaction back
    assert _log(engine) == [] and _hid_indexed(engine)
    with engine.connect() as conn:
        assert (conn.execute(select(func.max(status_imports.c.done))).scalar() or 0) == 0
    out = authority_cli("import-statuses", "--db", pg_url, str(path))
    assert "300000 applied now" in out
    assert [seq for seq, *_ in _log(engine)] == list(range(1, 300_001)) and _hid_indexed(engine)
    engine.dispose()
