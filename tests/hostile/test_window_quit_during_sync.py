"""Quitting the window during a sync against an unlucky site (issue 14 item 3): a platform
that answers one byte every 2 s (in its headers, a document, a status page or the upload's
answer), one that takes the request and answers nothing, and one that never takes the
connection at all. The shutdown returns within 2 s, no thread is left running, and the
events waiting for upload stay in the store."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMetaObject, Qt

from checkpoint_app.core.store import Store
from tests.support.hostile_http import Behaviour, BlackHole, HostileServer, relay, silent, slow_body, slow_headers
from tests.support.qt_harness import Harness
from tests.support.store_world import World, loopback_platform, run_cli

MakeApp = Callable[..., Harness]
ONE_BYTE_EVERY_S = 2.0
STALLS = ["connect", "silent", "headers", "document", "status_page", "upload"]
STALLED_PATH = {"silent": "/v1/trust-list", "headers": "/v1/trust-list", "document": "/v1/trust-list",
                "status_page": "/v1/status", "upload": "/v1/scans"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


def synced(tmp_path: Path, world: World, server_url: str) -> Path:
    """A checkpoint that synced once (its keys pinned), now pointed at `server_url`."""
    data = tmp_path / "checkpoint"
    assert run_cli(world.sync_args(data)).code == 0
    with Store.open(data) as store:
        store.set_setting("server_url", server_url)
    return data


def routes(where: str, upstream: str) -> list[tuple[str, Behaviour]]:
    """The real platform up to `where`, then one byte every 2 s."""
    slow = slow_body(b"\xa0" * 4096, ONE_BYTE_EVERY_S)
    if where == "silent":  # takes the request, then nothing (a half-open connection looks the same)
        return [("/", silent())]
    if where == "headers":
        return [("/", slow_headers(ONE_BYTE_EVERY_S))]
    return [(STALLED_PATH[where], slow), ("/", relay(upstream))]


class Site:
    """Where the window's sync goes: a hostile server, or a black hole for "connect"."""

    def __init__(self, where: str, upstream: str, stack: contextlib.ExitStack) -> None:
        self.where = where
        if where == "connect":
            self.hole = stack.enter_context(BlackHole())
            self.url = self.hole.url
        else:
            self.srv = stack.enter_context(HostileServer())
            for prefix, behaviour in routes(where, upstream):
                self.srv.serve(prefix, behaviour)
            self.url = self.srv.url

    def stalled(self) -> bool:
        if self.where == "connect":
            return self.hole.connecting() > 0
        return any(r.startswith(STALLED_PATH[self.where]) for r in self.srv.requests)


def record_two_visits(h: Harness) -> set[str]:
    for label in ("red-hospital", "red-turn-back"):  # refusals: recorded at once, no prompt
        n = len(h.events())
        h.show_code(label)
        h.wait_screen("result", timeout=15000)  # Enter before it is shown would dismiss nothing
        h.qtbot.waitUntil(lambda n=n: len(h.events()) > n, timeout=15000)
        h.dismiss()
        h.wait_screen("scan")
    return {e.event_id for e in h.events()}


def our_threads(before: set[threading.Thread]) -> list[str]:
    """Python threads started since `before` and still alive (the hostile server's aside; a
    QThread that ran Python shows as a dummy thread and is checked through app.threads)."""
    return [t.name for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith("hostile")
            and not isinstance(t, threading._DummyThread)]


@pytest.mark.parametrize("where", STALLS)
def test_quitting_during_a_slow_sync_returns_within_2_s_and_loses_nothing(
        make_app: MakeApp, tmp_path: Path, world: World, where: str) -> None:
    with contextlib.ExitStack() as stack:
        site = Site(where, world.url, stack)
        data = synced(tmp_path, world, site.url)
        before = set(threading.enumerate())
        h = make_app(data=data, bundled=False)
        h.codes = world.codes()
        if where == "upload":  # the first sync (through the real platform) is over: nothing to upload then
            h.qtbot.waitUntil(lambda: h.window.status.sync_state == "ok", timeout=30000)
        else:
            h.qtbot.waitUntil(site.stalled, timeout=10000)
        waiting = record_two_visits(h)
        if where == "upload":  # the next sync (as its timer would start it) finds them waiting
            h.qtbot.waitUntil(lambda: h.app.sync is not None, timeout=10000)
            QMetaObject.invokeMethod(h.app.sync, "sync_now", Qt.ConnectionType.QueuedConnection)
            h.qtbot.waitUntil(site.stalled, timeout=10000)
        assert len(waiting) == 2
        h.qtbot.wait(int(ONE_BYTE_EVERY_S * 500))  # in the middle of a slow read
        started = time.monotonic()
        h.app.shutdown()
        elapsed = time.monotonic() - started
        print(f"shutdown during a sync stalled at {where}: {elapsed:.3f} s")
        assert elapsed < 2.0
        assert not any(t.thread.isRunning() for t in h.app.threads)
        assert our_threads(before) == []
        with Store.open(data, check=False) as store:
            assert {e.event_id for e in store.pending_events(100, None)} == waiting
