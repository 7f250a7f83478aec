"""sync_once cancelled from another thread, as the window's shutdown does (issue 14 item 3):
against the reference authority behind a hostile server on loopback, and a platform that
never takes the connection. A cancelled sync ends within moments wherever it is (a connect,
a slow read, between pages), makes no further request, applies no further page, does not
start the upload, and leaves every queued event queued."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.events import ScanEvent, new_event_id
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.deadline import Cancel
from checkpoint_app.core.sync.http import SyncError
from tests.support.hostile_http import BlackHole, HostileServer, relay, slow_body
from tests.support.sync_platform import NOW, Platform, running_platform, sync

QUICK_S = 0.5  # a cancelled sync returns within this of the cancel (the deadline is 10 s)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with running_platform(tmp_path / "authority.sqlite3", page_size=2) as p:  # two status pages
        yield p


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "checkpoint") as s:
        s.record_event(ScanEvent(event_id=new_event_id(), ts=NOW - 60, venue_id="140105-mall-0007",
                                 venue_type="mall", hid="ab" * 16, iss="140000", code_color="green", color="red",
                                 reasons=(103,), temperature_c=None, mask=None, action="turn_back_isolation",
                                 allow=False, error=None, policy_serial=1, operator="guard-03"))
        yield s


def cancel_when(ready: Callable[[], bool], cancel: Cancel, then_wait_s: float = 0.0) -> list[float]:
    """Set `cancel` from another thread once `ready()` (and `then_wait_s` more); the time it
    was set is appended to the list returned."""
    when: list[float] = []

    def run() -> None:
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(then_wait_s)
        when.append(time.monotonic())
        cancel.set()

    threading.Thread(target=run, name="test-canceller", daemon=True).start()
    return when


def test_a_cancel_ends_a_connect_that_is_never_answered(platform: Platform, store: Store) -> None:
    """A firewall that drops the SYN: urllib3's connect waited out its timeout, and the retries
    each waited again (3 x the deadline), whatever the cancel said."""
    cancel = Cancel()
    with BlackHole() as hole:
        when = cancel_when(lambda: hole.connecting() > 0, cancel, then_wait_s=0.3)
        report = sync(store, hole.url, platform.token, platform.keys, attempts=3, cancel=cancel)
        returned = time.monotonic()
        assert hole.connecting() == 0
    assert report.error == SyncError.CANCELLED, report.summary()
    assert returned - when[0] < QUICK_S
    assert store.pending_count() == 1


def test_a_cancel_in_a_slow_page_applies_no_more_and_starts_no_upload(platform: Platform, store: Store) -> None:
    """The second status page comes one byte every 2 s: the first page stays applied, no
    request follows the cancel, and the event waits for the next sync."""
    cancel = Cancel()
    with HostileServer() as srv:
        srv.serve("/v1/status?since=0", relay(platform.url))
        srv.serve("/v1/status", slow_body(b"\xa0" * 4096, 2.0))
        srv.serve("/", relay(platform.url))
        slow_page = lambda: len([r for r in srv.requests if r.startswith("/v1/status")]) == 2  # noqa: E731
        when = cancel_when(slow_page, cancel, then_wait_s=1.0)  # in the middle of a 2 s wait for a byte
        report = sync(store, srv.url, platform.token, platform.keys, cancel=cancel)
        returned = time.monotonic()
        seen = list(srv.requests)
    assert report.error == SyncError.CANCELLED, report.summary()
    assert returned - when[0] < QUICK_S
    assert report.pages == 1 and store.resume_point() > 0  # the first page stays (staged: a first sync)
    assert [r.split("?")[0] for r in seen] == ["/v1/trust-list", "/v1/policy", "/v1/status", "/v1/status"]
    assert store.pending_count() == 1 and report.uploaded == 0


def test_a_sync_cancelled_before_it_starts_makes_no_connection(platform: Platform, store: Store) -> None:
    cancel = Cancel()
    cancel.set()
    with HostileServer() as srv:
        srv.serve("/", relay(platform.url))
        report = sync(store, srv.url, platform.token, platform.keys, cancel=cancel)
        connections = len(srv._threads)
    assert report.error == SyncError.CANCELLED
    assert connections == 0 and store.pending_count() == 1


def test_a_cancel_reaches_the_parts_it_was_given_to_and_only_them() -> None:
    """Cancel(parent): the sync's page fetched ahead ends with the sync, or on its own."""
    sync_cancel = Cancel()
    ahead = Cancel(sync_cancel)
    ahead.set()
    assert ahead.is_set and not sync_cancel.is_set and not sync_cancel._children  # forgotten once set
    second = Cancel(sync_cancel)
    sync_cancel.set()
    assert second.is_set
    assert Cancel(sync_cancel).is_set  # made after its parent was set: set at once


def test_a_cancelled_upload_leaves_every_event_queued(platform: Platform, store: Store) -> None:
    """The upload's answer comes one byte every 2 s: the events it carried stay queued."""
    for i in range(3):
        store.record_event(dataclasses.replace(store.pending_events(1, None)[0], event_id=new_event_id(), ts=NOW - i))
    cancel = Cancel()
    with HostileServer() as srv:
        srv.serve("/v1/scans", slow_body(b"{}" * 64, 2.0))
        srv.serve("/", relay(platform.url))
        when = cancel_when(lambda: "/v1/scans" in srv.requests, cancel, then_wait_s=1.0)
        report = sync(store, srv.url, platform.token, platform.keys, cancel=cancel)
        returned = time.monotonic()
    assert report.error == SyncError.CANCELLED and report.pages == 2, report.summary()
    assert returned - when[0] < QUICK_S
    assert store.pending_count() == 4 and srv.requests.count("/v1/scans") == 1
