"""A store that cannot be opened at the start (the data folder is a file, a read-only or
full disk): the window is out of service, and the log says why in one line -- it logged a
traceback, as for a bug, for what is the site's to fix."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from tests.support.qt_harness import PIN


def test_a_data_folder_that_is_a_file_is_one_line_and_out_of_service(
        qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="checkpoint.store")
    settings = tmp_path / "settings.json"
    st.save(settings, st.Settings(admin_pin=st.hash_pin(PIN), language="en"))
    data = tmp_path / "data"
    data.write_text("not a folder")
    app = CheckpointApp(settings, data, camera="none", bundled_documents=True)
    window = app.start()
    qtbot.addWidget(window, before_close_func=lambda _w: app.shutdown())
    window.show()
    try:
        qtbot.waitUntil(lambda: str(window.result.property("outcome")) == "out_of_service", timeout=10_000)
        records = [r for r in caplog.records if r.name == "checkpoint.store" and r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in records] == [
            f"cannot open the store in {data}: the data folder {data} is not a folder"]
        assert records[0].exc_info is None
    finally:
        app.shutdown()
