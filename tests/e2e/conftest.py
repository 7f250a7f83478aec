"""Fixtures: the reference authority on 127.0.0.1 (port 0) in a thread, a fault-injecting
proxy in front of it, a socket that accepts and never answers, and a store in tmp_path.
No mocks: every request is real HTTP over loopback, every store a real SQLite file."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_support import FaultProxy, Platform

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.sync_platform import running_platform


@pytest.fixture
def dist_key() -> Any:
    return load_private_key(demo_keys_dir() / "distribution.pem")


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with running_platform(tmp_path / "authority.sqlite3") as p:
        yield p


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

