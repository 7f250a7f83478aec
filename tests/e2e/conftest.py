"""Fixtures: the reference authority on 127.0.0.1 (port 0) in a thread, a store in tmp_path, a
fault-injecting proxy in front of the authority and a socket that accepts and never answers
(all in tests/support/sync_fixtures.py), and the dashboard tests' province.
No mocks: every request is real HTTP over loopback, every store a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.dashboard_province import Province, start_province
from tests.support.sync_platform import NOW


@pytest.fixture
def dist_key() -> Any:
    return load_private_key(demo_keys_dir() / "distribution.pem")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """The dashboard tests' province (tests/support/dashboard_province.py), one per module."""
    p = start_province(tmp_path_factory.mktemp("province"), NOW)
    yield p
    p.handle.stop()
