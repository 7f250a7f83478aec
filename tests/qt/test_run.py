"""`checkpoint-app` with no command: run(args) builds, shows and shuts down the window."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from pytestqt.qtbot import QtBot

from checkpoint_app import app as app_module
from checkpoint_app.core import settings as st
from checkpoint_app.core.store.store import Store


def test_run_with_a_config_file(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(logging.getLogger(), "handlers", list(logging.getLogger().handlers))
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", checkpoint_id="TY-XD-0009", language="en"))
    args = argparse.Namespace(demo=False, kiosk=False, config=str(config), data_dir=str(tmp_path / "data"))
    QTimer.singleShot(800, QCoreApplication.quit)
    assert app_module.run(args) == 0
    assert st.load(config).checkpoint_id == "TY-XD-0009"  # the --config file is the settings file
    with Store.open(tmp_path / "data", check=False) as store:
        assert store.pending_count() == 0
