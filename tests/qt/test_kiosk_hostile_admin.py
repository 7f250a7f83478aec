"""A guard or a passer-by at the kiosk, without the admin PIN, against the admin flows:
the statistics' CSV export (F3, no PIN) must not be a file manager, and the flows must
not take the checkpoint out of service when the settings folder cannot be written."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from checkpoint_app.core import settings as st
from checkpoint_app.gui.pin_dialog import PinDialog
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.stats_dialog import StatsDialog
from tests.support.qt_harness import PIN, Harness
from tests.support.small_disk import fill, small_disk

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


# -- a settings folder that cannot be written (disk full, or a read-only /etc install) ------

@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "config", "1m") as disk:
        yield disk


def test_a_full_settings_disk_never_takes_the_checkpoint_out_of_service(make_app: MakeApp, full_folder: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    """F5 raised OSError out of a slot (out of service, then a restart, at every press), and
    a PIN check raised in the thread pool: the dialog stayed disabled and the admin could
    neither open the settings nor leave the kiosk, just when the disk needed the admin."""
    h = make_app(folder=full_folder)
    fill(full_folder)
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F5)
    assert h.window.scan.hint.text() == "Show your health code"  # switched for this run
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F4)
    pin = _dialog(h, PinDialog)
    assert isinstance(pin, PinDialog)
    _enter_pin(h, pin, "0000")
    assert "4" in pin.message.text() and pin.edit.isEnabled()  # counted, at least for this run
    _enter_pin(h, pin, PIN)
    settings = _dialog(h, SettingsDialog)
    assert isinstance(settings, SettingsDialog)
    settings.editors["checkpoint_id"].setText("TY-XD-0002")  # type: ignore[union-attr]
    settings.save_button.click()
    assert settings.isVisible() and settings.error.text()  # not saved, and the admin is told
    assert h.app.settings.checkpoint_id != "TY-XD-0002"
    assert "not saved" in caplog.text


def test_the_kiosk_exit_works_on_a_full_disk(make_app: MakeApp, full_folder: Path) -> None:
    h = make_app(folder=full_folder)
    fill(full_folder)
    QTimer.singleShot(300, lambda: _type_into_modal(h, PIN))
    QTimer.singleShot(8000, _give_up)  # the old code never answered: fail, do not hang
    assert h.app.admin.check_pin_blocking()


def _give_up() -> None:
    if isinstance(dialog := QApplication.activeModalWidget(), PinDialog):
        dialog.reject()


def _type_into_modal(h: Harness, pin: str) -> None:
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, PinDialog)
    h.qtbot.keyClicks(dialog.edit, pin)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)


# -- an admin session left open ------------------------------------------------------------

def test_settings_left_open_close_themselves(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin opened the settings and was called away: the next guard found every
    setting open, with a "new admin PIN" field that leaves the kiosk."""
    monkeypatch.setattr("checkpoint_app.gui.idle_close.DIALOG_IDLE_MS", 600)
    h = make_app()
    pin = h.app.admin.open_settings()
    _enter_pin(h, pin, PIN)
    settings = _dialog(h, SettingsDialog)
    assert isinstance(settings, SettingsDialog)
    for _ in range(4):  # in use: stays open past the idle time
        h.qtbot.wait(300)
        h.qtbot.keyClicks(settings.new_pin, "1")
    assert settings.isVisible()
    h.qtbot.waitUntil(lambda: not any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs), timeout=3000)
    assert h.app.settings.admin_pin == st.load(h.app.settings_path).admin_pin  # nothing saved


def test_a_pin_dialog_left_open_neither_eats_the_guards_enter_nor_stays(make_app: MakeApp,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """F4 pressed and forgotten: each Enter the guard pressed to dismiss a result counted
    as a wrong PIN, five a lockout of the admin (doubling up to an hour), and it never went."""
    monkeypatch.setattr("checkpoint_app.gui.idle_close.PIN_IDLE_MS", 600)
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F4)
    pin = _dialog(h, PinDialog)
    assert isinstance(pin, PinDialog)
    for _ in range(st.MAX_FAILURES):
        h.qtbot.keyClick(pin.edit, Qt.Key.Key_Return)
        h.qtbot.waitUntil(lambda: not pin.checking)
    assert h.app.admin.pin_guard.failures == 0 and h.app.admin.pin_guard.locked() is None
    h.qtbot.waitUntil(lambda: not any(isinstance(d, PinDialog) for d in h.app.admin.dialogs), timeout=3000)


def test_the_kiosk_exit_pin_left_open_gives_up(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("checkpoint_app.gui.idle_close.PIN_IDLE_MS", 600)
    h = make_app()
    QTimer.singleShot(8000, _give_up)  # the old code waited for ever: fail, do not hang
    started = time.monotonic()
    assert not h.app.admin.check_pin_blocking()
    assert time.monotonic() - started < 5
