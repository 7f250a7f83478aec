"""Fixtures of the sync tests outside tests/e2e (import them into a test module): the seeded
authority on loopback, a hostile mirror in front of it, and a checkpoint store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store
from tests.support.mirror import Mirror
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
