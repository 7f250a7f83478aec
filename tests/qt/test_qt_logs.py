"""Qt's own warnings end up in the "checkpoint.qt" logger, redacted like everything else."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import qInstallMessageHandler, qWarning

from checkpoint_app.logs import route_qt_messages


def test_qt_warnings_go_to_logging(qapp, caplog) -> None:
    previous = route_qt_messages()
    try:
        with caplog.at_level(logging.DEBUG, logger="checkpoint.qt"):
            qWarning("QFont: cannot find glyphs")
    finally:
        qInstallMessageHandler(previous)  # give pytest-qt its capture back
    [record] = [r for r in caplog.records if r.name == "checkpoint.qt"]
    assert record.levelno == logging.WARNING
    assert "cannot find glyphs" in record.getMessage()
