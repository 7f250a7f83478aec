"""Kiosk mode on a real QMainWindow, offscreen: escape attempts are ignored, the PIN lets out."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLineEdit, QMainWindow
from pytestqt.qtbot import QtBot

from checkpoint_app.gui.kiosk import KioskController
from checkpoint_app.gui.screensaver import ScreenSaverInhibitor
from checkpoint_app.workers.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

Mod = Qt.KeyboardModifier


class Pin:
    """Stands in for the admin PIN dialog: answers as told and counts the questions."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.answer


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    w = QMainWindow()
    w.setCentralWidget(QLineEdit())
    quit_action = QAction("Quit", w)
    quit_action.setShortcuts([QKeySequence("Ctrl+Q"), QKeySequence("Ctrl+W")])
    quit_action.triggered.connect(w.close)
    quit_action.triggered.connect(lambda: w.setProperty("quit_fired", True))
    w.addAction(quit_action)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def pin() -> Pin:
    return Pin(answer=False)


@pytest.fixture
def kiosk(window: QMainWindow, pin: Pin) -> Iterator[KioskController]:
    k = KioskController(window, pin, idle_ms=30)
    k.enable()
    yield k
    k.release()  # lets qtbot close the window at teardown


def test_enable_makes_it_full_screen_frameless_and_on_top(window, kiosk) -> None:
    assert window.isFullScreen() and window.isVisible()
    flags = window.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint


@pytest.mark.parametrize(("key", "mod", "name"), [
    (Qt.Key.Key_Escape, Mod.NoModifier, "Esc"),
    (Qt.Key.Key_F4, Mod.AltModifier, "Alt+F4"),
    (Qt.Key.Key_Q, Mod.ControlModifier, "Ctrl+Q"),
    (Qt.Key.Key_W, Mod.ControlModifier, "Ctrl+W"),
    (Qt.Key.Key_F11, Mod.NoModifier, "F11"),
])
def test_escape_keys_are_swallowed(qtbot, window, kiosk, key, mod, name) -> None:
    for target in (window, window.centralWidget()):
        with qtbot.waitSignal(kiosk.escape_attempted, timeout=1000) as blocker:
            qtbot.keyClick(target, key, mod)
        assert blocker.args == [name]
    assert window.property("quit_fired") is None  # the Ctrl+Q / Ctrl+W action never ran
    assert window.isVisible() and window.isFullScreen()


def test_ordinary_keys_still_reach_the_window(qtbot, window, kiosk) -> None:
    edit = window.centralWidget()
    qtbot.keyClicks(edit, "36.5")
    assert edit.text() == "36.5"


def test_close_is_refused_without_the_pin(qtbot, window, kiosk, pin) -> None:
    with qtbot.waitSignal(kiosk.escape_attempted, timeout=1000) as blocker:
        assert window.close() is False
    assert blocker.args == ["close"]
    assert window.isVisible()
    assert kiosk.request_exit() is False
    assert pin.asked == 1
    assert window.close() is False and kiosk.enabled


def test_the_right_pin_leaves(qtbot, window, pin) -> None:
    pin.answer = True
    loop = QEventLoop()
    kiosk = KioskController(window, pin, leave=loop.exit)
    kiosk.enable()
    QTimer.singleShot(0, kiosk.request_exit)
    QTimer.singleShot(3000, lambda: loop.exit(99))  # a hang fails instead of blocking the suite
    with qtbot.waitSignal(kiosk.exit_authorised, timeout=1000):
        assert loop.exec() == 0
    assert pin.asked == 1
    assert window.close() is True


APP_THAT_LEAVES = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from checkpoint_app.gui.kiosk import KioskController
app = QApplication(sys.argv)
w = QMainWindow()
kiosk = KioskController(w, lambda: True)
kiosk.enable()
QTimer.singleShot(50, lambda: w.close() and app.exit(3))  # refused: must not end the app
QTimer.singleShot(100, kiosk.request_exit)
sys.exit(app.exec())
"""


def test_a_real_app_in_kiosk_mode_really_exits_after_the_pin() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", APP_THAT_LEAVES], env=env, timeout=30, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_cursor_hides_when_idle_and_returns_on_movement(qtbot, window, kiosk) -> None:
    qtbot.waitUntil(lambda: kiosk.cursor_hidden, timeout=1000)
    cursor = QGuiApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    qtbot.mouseMove(window.centralWidget(), QPoint(10, 10))
    qtbot.mouseClick(window.centralWidget(), Qt.MouseButton.LeftButton)
    assert not kiosk.cursor_hidden and QGuiApplication.overrideCursor() is None
    qtbot.waitUntil(lambda: kiosk.cursor_hidden, timeout=1000)  # and hides again


def test_leaving_full_screen_is_undone(qtbot, window, kiosk) -> None:
    window.showNormal()
    qtbot.waitUntil(window.isFullScreen, timeout=1000)


def test_disable_gives_an_ordinary_window_back(qtbot, window, kiosk) -> None:
    qtbot.waitUntil(lambda: kiosk.cursor_hidden, timeout=1000)
    kiosk.disable()
    assert not window.isFullScreen()
    assert not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert QGuiApplication.overrideCursor() is None
    attempts: list[str] = []
    kiosk.escape_attempted.connect(attempts.append)
    qtbot.keyClick(window, Qt.Key.Key_Q, Mod.ControlModifier)
    assert attempts == [] and window.property("quit_fired") is True


def test_no_session_bus_is_not_fatal(qtbot: QtBot, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO, logger="checkpoint.kiosk")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    tasks = TaskRunner()
    tasks.start()
    try:
        inhibitor = ScreenSaverInhibitor(tasks)
        inhibitor.inhibit()
        qtbot.waitUntil(lambda: not inhibitor.pending)
        assert not inhibitor.active
        inhibitor.release()
    finally:
        assert tasks.stop()
    assert "screen saver not inhibited (no D-Bus session bus)" in caplog.text
