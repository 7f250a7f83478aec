"""Session-wide test set-up: Qt offscreen before any QApplication exists, and fresh
per-user folders for every test so no test reads another's settings or store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.programs import needs_programs

# Fixtures for every folder: the loopback authority, its hostile mirror and a checkpoint store
# (the sync tests), and a bare pseudo-terminal (the serial device tests).
pytest_plugins = ["tests.support.sync_fixtures", "tests.support.serial_sim"]

# Must precede the first QApplication (pytest-qt creates it lazily, after collection).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs_programs"):
        needs_programs(*mark.args)


@pytest.fixture(autouse=True)
def _fresh_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("user")
    for name in ("DATA", "CONFIG", "LOG", "CACHE"):
        (base / name.lower()).mkdir()
        monkeypatch.setenv(f"CHECKPOINT_{name}_DIR", str(base / name.lower()))
    yield base
