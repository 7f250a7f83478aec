"""The PIN's slow hash runs off the GUI thread (workers/tasks.py) and its answer may come
home after the dialog has gone: closed by the guard, the idle timer or the shutdown, and
perhaps deleted already. Then the answer does nothing: no settings opened behind a closed
dialog, nothing emitted by a deleted object, no error. (It was a QThreadPool lambda that
emitted on the dialog itself.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from checkpoint_app.core.settings import PinGuard, PinResult
from checkpoint_app.gui.settings_dialog import SettingsDialog
from tests.support.qt_harness import PIN, Harness

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


class HeldGuard(PinGuard):
    """The real guard (scrypt, the lockout file) whose check waits until `release` is set."""

    def __init__(self, state_path: Path, clock: Callable[[], float]) -> None:
        super().__init__(state_path, clock)
        self.entered, self.release = threading.Event(), threading.Event()
        self.results: list[PinResult] = []

    def check(self, pin: str, stored: str) -> PinResult:
        self.entered.set()
        assert self.release.wait(30)
        result = super().check(pin, stored)
        self.results.append(result)
        return result


@pytest.mark.parametrize("gone", ["closed", "deleted"])
def test_a_pin_answer_after_its_dialog_has_gone_does_nothing(make_app: MakeApp, tmp_path: Path, gone: str) -> None:
    h = make_app()
    guard = HeldGuard(tmp_path / "held-pin-state.json", h.clock)
    h.app.admin.pin_guard = guard
    dialog = h.app.admin.open_settings()
    accepted: list[bool] = []
    dialog.pin_accepted.connect(lambda: accepted.append(True))
    h.qtbot.keyClicks(dialog.edit, PIN)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert guard.entered.wait(10)
    dialog.reject()  # as the idle timer, the guard's Esc or the shutdown's close_all do
    if gone == "deleted":
        h.qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)  # AdminFlows deletes it
    guard.release.set()
    h.qtbot.waitUntil(lambda: h.app.tasks.running == 0, timeout=10000)  # the answer is home
    assert [r.ok for r in guard.results] == [True]  # the hash ran (a guess counts either way)
    assert accepted == []
    assert not any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs)


def test_a_pin_answer_in_time_still_opens_the_settings(make_app: MakeApp, tmp_path: Path) -> None:
    h = make_app()
    guard = HeldGuard(tmp_path / "held-pin-state.json", h.clock)
    guard.release.set()
    h.app.admin.pin_guard = guard
    dialog = h.app.admin.open_settings()
    h.qtbot.keyClicks(dialog.edit, PIN)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs), timeout=10000)
