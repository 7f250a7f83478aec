"""Records are never lost (issue 9, item 3; spec 5 and 7): one rule for leaving the upload
queue (answered accepted, duplicate or rejected), whatever the queue holds and whatever
the platform, or something in front of it, answers.

Real HTTP to the reference authority, through a forwarding proxy (ScanGate) that can
answer a request itself: 413 for a batch it finds too large, 404 for a misrouted URL,
408/429/503 for a platform that is busy."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checkpoint_app.authority.db import scans
from checkpoint_app.cli import main
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store import Store
from tests.support.events import scan_event
from tests.support.store_world import STORE, ScanGate, World, loopback_platform, one_line_error, run_cli


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


@pytest.fixture
def data(world: World, tmp_path: Path) -> Path:
    folder = tmp_path / "cp"
    assert run_cli(world.sync_args(folder)).code == 0
    return folder


def _record(data: Path, events: list[ScanEvent]) -> None:
    with Store.open(data) as store:
        for e in events:
            store.record_event(e)


def _held(world: World) -> set[str]:
    with world.authority.engine.connect() as conn:
        return set(conn.execute(select(scans.c.event_id)).scalars())


def _sync(data: Path, capsys: pytest.CaptureFixture[str], server: str | None = None) -> tuple[int, str, str]:
    code = main(["sync", "--once", "--data-dir", str(data), *(["--server", server] if server else [])])
    out, err = capsys.readouterr()
    return code, out, err


def _export(data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, str], str]:
    """{event_id: upload state} of every exported record, and the export's stderr."""
    assert main(["export", "--format", "jsonl", "--from", "1900-01-01", "--to", "9999-12-31",
                 "--data-dir", str(data)]) == 0
    out, err = capsys.readouterr()
    return {(r := json.loads(line))["event_id"]: r["upload"] for line in out.splitlines()}, err


def test_one_bad_event_no_longer_holds_back_its_batch(world: World, data: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    good = [scan_event(world.now - i) for i in range(3)]
    # (Old ones like -1e12 are the platform test's: here the retention purge would meet them first.)
    bad = [scan_event(world.now * 1000), scan_event(2**40), scan_event(4_102_444_800),
           scan_event(world.now, hid="not-hex")]
    _record(data, [bad[0], good[0], bad[1], good[1], bad[2], good[2], bad[3]])
    code, out, _ = _sync(data, capsys)
    assert code == 0 and "uploaded 3" in out and "4 rejected" in out and "0 waiting" in out
    assert _held(world) == {e.event_id for e in good}
    states, _ = _export(data, capsys)
    assert {states[e.event_id] for e in good} == {"sent"}
    assert all(states[e.event_id].startswith("rejected: ts must be") for e in bad[:3])
    assert states[bad[3].event_id].startswith("rejected: hid must be")
    # Left the queue: the next sync sends nothing again, and nothing was deleted.
    with ScanGate(world.url) as gate:
        assert _sync(data, capsys, gate.url)[0] == 0
        assert not [s for s in gate.seen if s[0] == "/v1/scans"]
    assert len(_export(data, capsys)[0]) == 7


def test_damaged_outbox_rows_are_set_apart_and_block_nothing(world: World, data: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = [scan_event(world.now - i) for i in range(3)]
    _record(data, good)
    old = world.now - 100
    damaged = {"d-notjson": "{not json", "d-lacks": json.dumps({"event_id": "d-lacks", "ts": old}),
               "d-list": "[1, 2, 3]", "d-nan": json.dumps(dict(good[0].to_wire(), event_id="d-nan", ts=old))
               .replace("36.6", "NaN"), "d-other-id": json.dumps(dict(good[0].to_wire(), event_id="x", ts=old))}
    conn = sqlite3.connect(data / STORE)
    for eid, body in damaged.items():  # older than the good ones: first in the queue
        conn.execute("INSERT INTO events (event_id, ts, body) VALUES (?, ?, ?)", (eid, old, body))
    conn.commit()
    conn.close()
    code, out, _ = _sync(data, capsys)
    assert code == 0 and "uploaded 3" in out and "0 waiting" in out, out
    assert _held(world) == {e.event_id for e in good}
    conn = sqlite3.connect(data / STORE)
    kept = dict(conn.execute("SELECT event_id, fault FROM events WHERE sent IS NULL").fetchall())
    conn.close()
    assert set(kept) == set(damaged) and all(f.startswith("damaged: ") for f in kept.values())
    states, err = _export(data, capsys)
    assert set(states) == {e.event_id for e in good}
    assert err.count("\n") == 1 and "5 scan records" in err and "damaged" in err
    # The window's statistics read past them too.
    with Store.open(data) as store:
        assert len(store.events_between(0, 2**62)) == 3 and store.pending_count() == 0


def test_413_splits_the_batch_in_half_until_it_fits(world: World, data: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    events = [scan_event(world.now - i) for i in range(7)]
    _record(data, events)

    def at_most_two(path: str, body: Any) -> tuple[int, bytes] | None:
        too_many = path == "/v1/scans" and len(body["events"]) > 2
        return (413, b'{"error": "request entity too large"}') if too_many else None

    with ScanGate(world.url, at_most_two) as gate:
        code, out, _ = _sync(data, capsys, gate.url)
        sizes = [(n, status) for path, n, status in gate.seen if path == "/v1/scans"]
    assert code == 0 and "uploaded 7" in out
    assert sizes == [(7, 413), (3, 413), (1, 200), (2, 200), (4, 413), (2, 200), (2, 200)]
    assert _held(world) == {e.event_id for e in events}


def test_413_for_a_single_event_keeps_it_queued(world: World, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _record(data, [scan_event(world.now)])
    with ScanGate(world.url, lambda path, body: (413, b"") if path == "/v1/scans" else None) as gate:
        code, _, err = _sync(data, capsys, gate.url)
    assert code == 1 and one_line_error(err, "TOO_LARGE")
    with Store.open(data) as store:
        assert store.pending_count() == 1


@pytest.mark.parametrize("status", [400, 404, 405, 422])
def test_a_batch_called_malformed_stays_queued_never_dropped(status: int, world: World, data: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Spec 5: another 4xx "rejects the batch as malformed". The platform judges events one
    by one, so this is about the request (a proxy, a wrong URL): the events stay queued,
    the sync reports REJECTED, and they go once the way is mended."""
    events = [scan_event(world.now - i) for i in range(3)]
    _record(data, events)
    with ScanGate(world.url, lambda path, body: (status, b"{}") if path == "/v1/scans" else None) as gate:
        code, _, err = _sync(data, capsys, gate.url)
    assert code == 1 and one_line_error(err, "REJECTED", f"HTTP {status}")
    with Store.open(data) as store:
        assert store.pending_count() == 3
    assert _sync(data, capsys, world.url)[0] == 0
    assert _held(world) == {e.event_id for e in events}


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503])
def test_busy_answers_are_retried_and_the_events_wait(status: int, world: World, data: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    events = [scan_event(world.now - i) for i in range(2)]
    _record(data, events)
    with ScanGate(world.url, lambda path, body: (status, b"") if path == "/v1/scans" else None) as gate:
        code, _, err = _sync(data, capsys, gate.url)
        tries = [s for s in gate.seen if s[0] == "/v1/scans"]
    assert code == 1 and one_line_error(err, "SERVER_ERROR") and len(tries) == 3  # retried with backoff
    with Store.open(data) as store:
        assert store.pending_count() == 2
    assert _sync(data, capsys, world.url)[0] == 0 and _held(world) == {e.event_id for e in events}


def test_an_answer_that_leaves_events_out_keeps_them_queued(world: World, data: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    events = [scan_event(world.now - i) for i in range(4)]
    _record(data, events)

    def answers_one(path: str, body: Any) -> tuple[int, bytes] | None:
        if path != "/v1/scans":
            return None
        first = body["events"][0]["event_id"]
        return 200, json.dumps({"accepted": [first], "duplicates": [], "rejected": []}).encode()

    with ScanGate(world.url, answers_one) as gate:
        code, out, _ = _sync(data, capsys, gate.url)
        posts = [s for s in gate.seen if s[0] == "/v1/scans"]
    assert code == 0 and "uploaded 1" in out and "3 waiting" in out
    assert posts == [("/v1/scans", 4, 200)]  # each event once per sync: no loop on the unanswered


def test_a_contradictory_answer_marks_nothing(world: World, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = [scan_event(world.now)]
    _record(data, events)
    eid = events[0].event_id
    contradiction = json.dumps({"accepted": [eid], "duplicates": [],
                                "rejected": [{"event_id": eid, "error": "no"}]}).encode()
    with ScanGate(world.url, lambda path, body: (200, contradiction) if path == "/v1/scans" else None) as gate:
        code, _, err = _sync(data, capsys, gate.url)
    assert code == 1 and one_line_error(err, "MALFORMED")
    with Store.open(data) as store:
        assert store.pending_count() == 1


def test_a_non_finite_temperature_is_refused_when_recorded(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store, pytest.raises(ValueError, match="JSON"):
        store.record_event(scan_event(1_700_000_000, temperature_c=float("nan")))
    with Store.open(tmp_path) as store:
        assert store.pending_count() == 0

