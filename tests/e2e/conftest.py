"""Fixtures: the reference authority on 127.0.0.1 (port 0) in a thread and a store in tmp_path
(tests/support/sync_fixtures.py), a fault-injecting proxy in front of the authority, and a
socket that accepts and never answers.
No mocks: every request is real HTTP over loopback, every store a real SQLite file."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.dashboard_province import Province, start_province
from tests.support.sync_checks import FaultProxy
from tests.support.sync_platform import NOW, Platform


@pytest.fixture
def dist_key() -> Any:
    return load_private_key(demo_keys_dir() / "distribution.pem")


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


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """The dashboard tests' province (tests/support/dashboard_province.py), one per module."""
    p = start_province(tmp_path_factory.mktemp("province"), NOW)
    yield p
    p.handle.stop()
