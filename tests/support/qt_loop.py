"""Waiting inside a Qt program that has no qtbot (the drivers run as programs of their own):
the event loop keeps running, so the window under test keeps working while we wait."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer

from tests.support.waiting import wait_for


def spin(ms: int) -> None:
    """Run the event loop for `ms`. Not QTest.qWait: in PySide6 it keeps the GIL while it
    sleeps, which starves the camera and decode threads."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_in_loop(condition: Callable[[], object], timeout: float = 10.0, what: object = "the window") -> None:
    wait_for(condition, timeout, what, pause=lambda seconds: spin(int(seconds * 1000)))
