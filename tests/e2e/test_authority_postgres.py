"""The authority on PostgreSQL (a real server from the pgserver wheel), synced over loopback.

Skipped where pgserver or psycopg is not installed; SQLite is the default database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pgserver = pytest.importorskip("pgserver")
pytest.importorskip("psycopg")

from checkpoint_app.authority import statuslog  # noqa: E402
from checkpoint_app.authority.platform import Authority  # noqa: E402
from checkpoint_app.authority.server import start_in_thread  # noqa: E402
from checkpoint_app.core.store import Store  # noqa: E402
from checkpoint_app.demo.authority import seed  # noqa: E402
from tests.support.clocks import ShiftedClock  # noqa: E402
from tests.support.events import scan_event  # noqa: E402
from tests.support.sync_checks import cache_state, expected_state  # noqa: E402
from tests.support.sync_platform import NOW, sync  # noqa: E402


@pytest.fixture
def pg_url() -> Iterator[str]:
    # Not under tmp_path: run as root, pgserver runs PostgreSQL as another user and opens the
    # folders above its data to it, and every pytest session that starts on the machine
    # closes /tmp/pytest-of-root again (0700).
    with tempfile.TemporaryDirectory(prefix="checkpoint-pg-") as folder:
        server = pgserver.get_server(Path(folder) / "pg", cleanup_mode="stop")
        try:
            uri = server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
            yield uri.replace("postgresql://", "postgresql+psycopg://", 1)
        finally:
            server.cleanup()


def test_the_authority_on_postgresql(pg_url: str, dist_key: Any, tmp_path: Path) -> None:
    clock = ShiftedClock()
    authority = Authority.open(pg_url, dist_key, page_size=7, clock=clock)
    assert authority.engine.dialect.name == "postgresql"
    seed(authority, NOW)
    token = authority.register_checkpoint("PG-1")
    handle = start_in_thread(authority)
    keys = [dist_key.public_key()]
    try:
        with Store.open(tmp_path / "cp") as store:
            people = [os.urandom(16) for _ in range(40)]
            authority.set_statuses([(h, 2, (103,), NOW - 10 * 86400) for h in people])
            assert sync(store, handle.url, token, keys).ok  # first sync: several pages, staged
            assert cache_state(store.path) == expected_state(authority)
            authority.set_statuses([(h, 0, (), NOW - 9 * 86400) for h in people[:10]])
            report = sync(store, handle.url, token, keys)
            assert report.ok and report.entries == 10 and not report.rebuilt
            authority.set_statuses([(h, 0, (), NOW - 8 * 86400) for h in people[10:20]])
            assert authority.compact(drop_removals_before=NOW - 86400).horizon > 0
            report = sync(store, handle.url, token, keys)  # behind the horizon: a reset and a rebuild
            assert report.ok and report.rebuilt
            assert cache_state(store.path) == expected_state(authority)
            event = scan_event(NOW - 5)
            store.record_event(event)
            assert sync(store, handle.url, token, keys).uploaded == 1
            assert authority.ingest("PG-1", {"checkpoint_id": "PG-1", "events": [event.to_wire()]}).duplicates == [
                event.event_id]
            assert authority.stats(0, 2**62)["by_region"] == {"140105": 1}
            # A change held until it is due, published then with its seq (under the head row lock).
            later, head = os.urandom(16), statuslog.head(authority.engine)
            authority.set_statuses([(later, 2, (103,), int(clock()) + 3600)])
            report = sync(store, handle.url, token, keys)
            assert report.ok and report.cursor == head and store.lookup(later) is None
            clock.offset = 3700
            report = sync(store, handle.url, token, keys, now=clock())
            assert report.ok and report.cursor == head + 1 and store.lookup(later) is not None
    finally:
        handle.stop()
        authority.engine.dispose()
