"""Fixtures of the sync tests in every folder (a plugin of tests/conftest.py): the seeded
authority on loopback, a hostile mirror and a fault-injecting proxy in front of it, a socket
that accepts and never answers, and a checkpoint store."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store
from tests.support.mirror import Mirror
from tests.support.sync_checks import FaultProxy
from tests.support.sync_platform import Platform, running_platform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with running_platform(tmp_path / "authority.sqlite3") as p:
        yield p


@pytest.fixture
def mirror(platform: Platform) -> Iterator[Mirror]:
    m = Mirror(platform.url)
    yield m
    m.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "checkpoint")
    yield s
    s.close()


@pytest.fixture
def proxy(platform: Platform) -> Iterator[FaultProxy]:
    p = FaultProxy(platform.url)
    yield p
    p.stop()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback socket that accepts connections and never answers (the timeout case)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()
