"""Spec section 9: what `sync --once` is given is remembered in the data folder "for later
runs and for the window". A window with no server, token or keys in its settings syncs with
the platform the command line set up, and decides with the documents that sync verified."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.cli import main
from checkpoint_app.core import settings as st
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.sync_platform import Platform


@pytest.fixture(autouse=True)
def offscreen() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def test_window_uses_what_sync_once_remembered(platform: Platform, tmp_path: Path, qtbot: QtBot) -> None:
    data = tmp_path / "cp"
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token,
                 "--root-key", str(demo_keys_dir() / "distribution.pub.pem"), "--data-dir", str(data)]) == 0
    settings = tmp_path / "settings.json"
    st.save(settings, st.Settings())  # nothing about the platform in the window's own settings
    app = CheckpointApp(settings, data, camera="none")
    window = app.start()
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.status.sync_state == "ok", timeout=15000)
        qtbot.waitUntil(lambda: window.status.store is not None and window.status.store.level != "never",
                        timeout=10000)
        assert app.platform.server_url == platform.url and app.sync is not None
    finally:
        app.shutdown()
