"""Fleet health (spec 1.1 section 5 headers): kept per checkpoint in memory, written at most
once a minute, merged newest-first when several server processes write, malformed headers
ignored; the sync client sends them with every request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import event, select

from checkpoint_app import __version__
from checkpoint_app.authority import fleet
from checkpoint_app.authority.db import checkpoint_health, make_engine
from checkpoint_app.authority.fleet import FleetMonitor, parse_headers
from checkpoint_app.core.sync.http import Http
from tests.support.clocks import FakeClock

T0 = 1_780_000_000


def _row(monitor: FleetMonitor, cid: str) -> dict[str, Any]:
    with monitor.engine.connect() as conn:
        row = conn.execute(select(checkpoint_health).where(checkpoint_health.c.checkpoint_id == cid)).first()
    assert row is not None
    return dict(row._mapping)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    return make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")


def _headers(version: str = "1.2.0", clock: int = T0, waiting: int = 3) -> dict[str, str]:
    return {"X-Checkpoint-Version": version, "X-Checkpoint-Clock": str(clock), "X-Checkpoint-Waiting": str(waiting)}


def test_a_checkpoint_is_written_at_most_once_a_minute(engine: Any) -> None:
    clock = FakeClock(T0)
    m = FleetMonitor(engine, clock)
    m.observe("CP-1", _headers("1.0.0"), synced=True)
    assert m.flush() == 1
    assert _row(m, "CP-1")["version"] == "1.0.0" and _row(m, "CP-1")["last_sync"] == T0
    for i in range(20):  # a checkpoint polling every 2 s: kept in memory, not written
        clock.now += 2
        m.observe("CP-1", _headers(f"1.0.{i + 1}"))
        assert m.flush() == 0
    assert _row(m, "CP-1")["version"] == "1.0.0"
    assert m.snapshot()["CP-1"].version == "1.0.20"
    clock.now = T0 + 60
    assert m.flush() == 1
    row = _row(m, "CP-1")
    assert row["version"] == "1.0.20" and row["last_seen"] == T0 + 40 and row["last_sync"] == T0
    assert m.flush() == 0  # nothing new since


def test_two_processes_keep_the_newest_of_each_time(engine: Any) -> None:
    clock_a, clock_b = FakeClock(T0), FakeClock(T0)
    a, b = FleetMonitor(engine, clock_a), FleetMonitor(engine, clock_b)
    clock_b.now = T0 + 30
    b.observe("CP-1", _headers("2.0.0", waiting=9), uploaded=4)
    b.flush()
    a.observe("CP-1", _headers("1.0.0"), synced=True)  # older news, written later
    a.flush()
    row = _row(a, "CP-1")
    assert row["last_seen"] == T0 + 30 and row["last_sync"] == T0 and row["last_upload"] == T0 + 30
    assert row["version"] == "2.0.0" and row["waiting"] == 5  # 9 waiting, 4 of them in the answered upload


def test_clock_offset_and_malformed_headers(engine: Any) -> None:
    assert parse_headers(_headers(clock=T0 + 400), T0) == {"version": "1.2.0", "clock_offset": 400, "waiting": 3}
    hostile = {"X-Checkpoint-Version": "<script>", "X-Checkpoint-Clock": "1e20", "X-Checkpoint-Waiting": "-1"}
    assert parse_headers(hostile, T0) == {}
    assert parse_headers({"X-Checkpoint-Clock": "99999999999", "X-Checkpoint-Waiting": "²"}, T0) == {}
    assert parse_headers({"X-Checkpoint-Version": "v" * 33}, T0) == {}
    m = FleetMonitor(engine, FakeClock(T0))
    m.observe("CP-2", hostile)
    m.flush(force=True)
    row = _row(m, "CP-2")
    assert row["version"] is None and row["clock_offset"] is None and row["last_seen"] == T0


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_sync_client_sends_the_headers_with_every_request(recorder: str) -> None:
    _Recorder.seen.clear()
    times = iter([T0, T0 + 5])
    http = Http(recorder, "tok", clock=lambda: next(times))
    http.waiting = 12
    http.get("/v1/policy")
    http.post_json("/v1/scans", {"events": []})
    first, second = _Recorder.seen
    assert first["X-Checkpoint-Version"] == __version__ and first["X-Checkpoint-Waiting"] == "12"
    assert (first["X-Checkpoint-Clock"], second["X-Checkpoint-Clock"]) == (str(T0), str(T0 + 5))
    assert second["Authorization"] == "Bearer tok"


def test_stop_waits_for_a_write_under_way(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today stop() returned while the writer thread was still writing; the test server then
    disposed of the engine, and the writer's connection stayed open in the old pool until
    collected (on PostgreSQL a ResourceWarning that failed whichever later test was running)."""
    monkeypatch.setattr(fleet, "FLUSH_POLL_S", 0.05)
    writing, release = threading.Event(), threading.Event()

    def hold_the_writer(*_: object) -> None:
        if threading.current_thread().name == "fleet-writer":
            writing.set()
            release.wait(30)

    event.listen(engine, "before_cursor_execute", hold_the_writer)
    monitor = FleetMonitor(engine, FakeClock(T0))
    monitor.observe("CP-1", _headers())
    assert writing.wait(30), "the writer did not write"
    threading.Timer(0.5, release.set).start()  # the write ends while stop() has begun
    monitor.stop()
    assert engine.pool.checkedout() == 0  # no connection still out in a thread of the monitor
    assert _row(monitor, "CP-1")["version"] == "1.2.0"
