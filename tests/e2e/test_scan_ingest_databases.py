"""Scan ingest's guarantees on both databases (spec 5): each event stored once, a retried
batch answered as duplicates, an event repeated inside a batch stored once, a bad event
rejected alone, and the counts equal to the events; also with writers racing on the same
batches. PostgreSQL stores a batch with one INSERT ... ON CONFLICT DO NOTHING RETURNING
(scans._insert_new), SQLite with a read of the held ids and an executemany: both are run.

PostgreSQL is a real server from the pgserver wheel (skipped where it is not installed)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from checkpoint_app.authority.db import scan_counts_day, scan_counts_hour, scans
from checkpoint_app.authority.platform import Authority
from tests.support.postgres import postgres_url


@pytest.fixture(scope="module")
def pg_server_url() -> Iterator[str]:
    pgserver = pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    with postgres_url(pgserver) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def authority(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Authority]:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server_url")
    opened = Authority.open(url, None)
    with opened.engine.begin() as conn:  # the PostgreSQL server is shared by this module's tests
        for table in (scans, scan_counts_hour, scan_counts_day):
            conn.execute(table.delete())
    yield opened
    opened.engine.dispose()


def _event(eid: str, **extra: Any) -> dict[str, Any]:
    return {"event_id": eid, "ts": int(time.time()) - 60, "venue_id": "140105-mall-0007", "venue_type": "mall",
            "hid": "ab" * 16, "iss": "140000", "color": "red" if eid.endswith("7") else "green",
            "temperature_c": 37.5 if eid.endswith("3") else 36.5, "action": "pass", "allow": True, **extra}


def _batch(ids: list[str]) -> dict[str, Any]:
    return {"checkpoint_id": "CP-1", "events": [_event(i) for i in ids]}


def _stored_and_counted(authority: Authority) -> tuple[int, int, int]:
    with authority.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(scans)).scalar_one()
        days = conn.execute(select(func.sum(scan_counts_day.c.n)).where(scan_counts_day.c.facet == "all")).scalar()
        hours = conn.execute(select(func.sum(scan_counts_hour.c.n)).where(scan_counts_hour.c.facet == "all")).scalar()
    return stored, int(days or 0), int(hours or 0)


def test_a_batch_sent_twice_is_stored_once_and_answered_as_duplicates(authority: Authority) -> None:
    ids = [f"e-{i}" for i in range(50)]
    first = authority.ingest("CP-1", _batch(ids))
    assert first.accepted == ids and first.duplicates == [] and first.rejected == []
    again = authority.ingest("CP-1", _batch(ids))
    assert again.accepted == [] and again.duplicates == ids
    assert _stored_and_counted(authority) == (50, 50, 50)
    stats = authority.stats(0, 2**62)
    assert stats["by_color"] == {"green": 45, "red": 5} and stats["by_fever"] == {"false": 45, "true": 5}


def test_an_event_repeated_in_its_batch_is_stored_once_and_a_bad_one_is_rejected_alone(authority: Authority) -> None:
    body = _batch(["b", "a", "b", "c"])
    body["events"].insert(2, _event("bad", ts="yesterday"))
    result = authority.ingest("CP-1", body)
    assert result.accepted == ["b", "a", "c"] and result.duplicates == ["b"]
    assert [(r.event_id, r.error) for r in result.rejected] == [("bad", "ts must be whole seconds between"
                                                                        " 2020-01-01 and 2100-01-01")]
    mixed = authority.ingest("CP-1", _batch(["c", "d", "a"]))  # half new, half held
    assert mixed.accepted == ["d"] and mixed.duplicates == ["c", "a"]
    assert _stored_and_counted(authority) == (4, 4, 4)


def test_writers_racing_on_the_same_batches_accept_each_event_exactly_once(authority: Authority) -> None:
    """As gunicorn's threads would, with a checkpoint's retry arriving while the first request
    still runs: every event is accepted by exactly one request and counted once."""
    batches = [[f"r-{b}-{i}" for i in range(40)] for b in range(12)]
    accepted: Counter[str] = Counter()
    lock, start = threading.Lock(), threading.Barrier(4)
    failures: list[BaseException] = []

    def send(order: list[list[str]]) -> None:
        try:
            start.wait(10)
            for ids in order:
                result = authority.ingest("CP-1", _batch(ids))
                assert sorted(result.accepted + result.duplicates) == sorted(ids)
                with lock:
                    accepted.update(result.accepted)
        except BaseException as exc:  # reported by the test thread below
            failures.append(exc)

    orders = [batches, batches[::-1], batches[3:] + batches[:3], [b[::-1] for b in batches]]
    threads = [threading.Thread(target=send, args=(order,)) for order in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    everything = [eid for ids in batches for eid in ids]
    assert accepted == Counter(everything)  # each once: none lost, none accepted twice
    assert _stored_and_counted(authority) == (len(everything),) * 3
