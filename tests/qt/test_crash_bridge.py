"""A bug on a worker thread ends as "out of service" in the GUI thread, then a restart."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from pathlib import Path

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from checkpoint_app.crash import EXIT_RESTART, RunMarker
from checkpoint_app.workers.crash_bridge import CrashBridge


def test_thread_bug_shows_out_of_service_in_the_gui_thread_then_restarts(qtbot: QtBot, tmp_path: Path) -> None:
    shown: list[QThread] = []
    exits: list[int] = []
    bridge = CrashBridge(lambda: shown.append(QThread.currentThread()), restart_after_ms=20, leave=exits.append)
    marker = RunMarker(tmp_path / "run-state.json")
    marker.start()
    bridge.install(marker)
    try:
        for _ in range(2):  # two failures, one screen, one restart
            worker = threading.Thread(target=lambda: [][1], name="sync")
            worker.start()
            worker.join()
        qtbot.waitUntil(lambda: exits == [EXIT_RESTART], timeout=2000)
    finally:
        bridge.uninstall()
    assert len(shown) == 1 and shown[0] is bridge.thread()
    assert marker.start().startswith("crashed: IndexError")


def test_a_broken_screen_restarts_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    exits: list[int] = []

    def broken() -> None:
        raise RuntimeError("no window")

    bridge = CrashBridge(broken, restart_after_ms=60000, leave=exits.append)
    bridge.install(RunMarker(tmp_path / "m.json"))
    try:
        bridge.crashed.emit()
        qtbot.waitUntil(lambda: exits == [EXIT_RESTART], timeout=2000)
    finally:
        bridge.uninstall()


def test_without_restart_it_only_shows_the_screen(qtbot: QtBot, tmp_path: Path) -> None:
    shown: list[bool] = []
    exits: list[int] = []
    bridge = CrashBridge(lambda: shown.append(True), restart_after_ms=None, leave=exits.append)
    bridge.install(RunMarker(tmp_path / "m.json"))
    try:
        with qtbot.waitSignal(bridge.crashed, timeout=1000):
            threading.Thread(target=lambda: 1 / 0).start()
        qtbot.waitUntil(lambda: shown == [True], timeout=1000)
        qtbot.wait(50)
    finally:
        bridge.uninstall()
    assert exits == []
