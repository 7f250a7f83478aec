"""A guard or a passer-by at the kiosk, without the admin PIN, against the admin flows:
the statistics' CSV export (F3, no PIN) must not be a file manager, and the flows must
not take the checkpoint out of service when the settings folder cannot be written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from qt_harness import PIN, Harness

from checkpoint_app.gui.pin_dialog import PinDialog
from checkpoint_app.gui.stats_dialog import StatsDialog

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen dialogs


def _dialog(h: Harness, kind: type) -> object:
    h.qtbot.waitUntil(lambda: any(isinstance(d, kind) for d in h.app.admin.dialogs))
    return next(d for d in h.app.admin.dialogs if isinstance(d, kind))


def _file_dialogs(parent: StatsDialog) -> list[QFileDialog]:
    return [d for d in parent.findChildren(QFileDialog) if d.isVisible()]


def _enter_pin(h: Harness, dialog: PinDialog, pin: str) -> None:
    h.qtbot.keyClicks(dialog.edit, pin)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: not dialog.checking)


def test_the_csv_export_asks_for_the_admin_pin_before_any_file_browser(make_app: MakeApp) -> None:
    """F3 needs no PIN; its Export button opened Qt's file dialog, which browses the whole
    disk and deletes, renames and overwrites files (the store, the settings, the autostart
    unit): records lost and a kiosk that never starts again, by anyone at the desk."""
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F3)
    stats = _dialog(h, StatsDialog)
    assert isinstance(stats, StatsDialog)
    stats.export.click()
    pin = _dialog(h, PinDialog)
    assert isinstance(pin, PinDialog)
    assert _file_dialogs(stats) == []
    _enter_pin(h, pin, "0000")
    assert _file_dialogs(stats) == []
    pin.reject()
    stats.export.click()
    pin = _dialog(h, PinDialog)
    assert isinstance(pin, PinDialog)
    _enter_pin(h, pin, PIN)
    h.qtbot.waitUntil(lambda: len(_file_dialogs(stats)) == 1)
    browser = _file_dialogs(stats)[0]
    # Even the admin's browser only saves: no delete, rename or new folder in its menus.
    assert browser.testOption(QFileDialog.Option.ReadOnly)
    browser.reject()


def test_the_export_never_overwrites_a_file(make_app: MakeApp) -> None:
    """Typing the store's or the settings' path into the save dialog replaced that file
    with a CSV (after one "replace?" click)."""
    h = make_app()
    stats = h.app.admin.open_stats()
    h.qtbot.waitUntil(lambda: stats.stats is not None)
    settings = h.app.settings_path
    before = settings.read_bytes()
    stats.export_to(settings)
    assert settings.read_bytes() == before
    assert str(settings) in stats.message.text()
    stats.export_to(Path("/proc/no-such-dir/events.csv"))  # unwritable: a message, not a crash
    assert "/proc/no-such-dir/events.csv" in stats.message.text()
