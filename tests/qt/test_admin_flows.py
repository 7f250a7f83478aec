"""The PIN and its lockout, the language switch, statistics and CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt

from checkpoint_app.core import settings as st
from checkpoint_app.gui.pin_dialog import PinDialog
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.stats_dialog import StatsDialog
from tests.support.qt_harness import PIN, Harness

MakeApp = Callable[..., Harness]


def _dialog(h: Harness, kind: type) -> object:
    h.qtbot.waitUntil(lambda: any(isinstance(d, kind) for d in h.app.admin.dialogs))
    return next(d for d in h.app.admin.dialogs if isinstance(d, kind))


def test_pin_lockout(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F4)
    dialog = _dialog(h, PinDialog)
    assert isinstance(dialog, PinDialog)
    for left in range(st.MAX_FAILURES - 1, 0, -1):
        _enter(h, dialog, "0000")
        assert f"还可尝试 {left} 次" in dialog.message.text()
    _enter(h, dialog, "0000")
    assert "锁定" in dialog.message.text() and not dialog.edit.isEnabled()
    dialog.edit.setEnabled(True)  # even if someone got at the field, the right PIN is refused now
    _enter(h, dialog, PIN)
    assert "锁定" in dialog.message.text()
    assert not any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs)


def _enter(h: Harness, dialog: PinDialog, pin: str) -> None:
    h.qtbot.keyClicks(dialog.edit, pin)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: not dialog.checking)  # the hash runs in the thread pool


def test_right_pin_opens_settings_which_save_atomically(make_app: MakeApp) -> None:
    h = make_app()
    dialog = h.app.admin.open_settings()
    h.qtbot.keyClicks(dialog.edit, PIN)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    settings = _dialog(h, SettingsDialog)
    assert isinstance(settings, SettingsDialog)
    settings.editors["checkpoint_id"].setText("TY-XD-0001")  # type: ignore[union-attr]
    settings.editors["sound_volume"].setValue(30)  # type: ignore[union-attr]
    settings.save_button.click()
    saved = st.load(h.app.settings_path)
    assert (saved.checkpoint_id, saved.sound_volume, h.app.sound.volume) == ("TY-XD-0001", 30, 30)
    assert h.app.machine.station.checkpoint_id == "TY-XD-0001"


def test_language_switch_at_run_time(make_app: MakeApp) -> None:
    h = make_app()
    assert h.window.scan.hint.text() == "请出示健康码"
    h.show_code("red-hospital")
    h.wait_screen("result")
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_F5)
    assert h.window.result.headline.text() == "No entry"
    assert h.window.result.action.text() == "Keep them here; call medical staff now"
    assert h.window.result.reasons.text() == "Confirmed case"
    assert h.window.scan.hint.text() == "Show your health code" and st.load(h.app.settings_path).language == "en"
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_F5)
    assert h.window.result.action.text() == "请其原地等候，立即联系医务人员"


def test_statistics_and_csv_export(make_app: MakeApp, tmp_path: Path) -> None:
    h = make_app()
    for label in ("yellow", "forged"):
        h.show_code(label)
        h.wait_screen("result")
        h.dismiss()
        h.wait_screen("scan")
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.type("3365\r")  # a child, 36.5 °C
    h.wait_screen("result")
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F3)
    dialog = _dialog(h, StatsDialog)
    assert isinstance(dialog, StatsDialog)
    h.qtbot.waitUntil(lambda: dialog.stats is not None and dialog.stats.people == 3)
    s = dialog.stats
    assert s is not None and s.manual == 1 and s.by_color == {"yellow": 1, "none": 1}
    assert s.by_error == {"BAD_SIGNATURE": 1} and sum(s.per_hour) == 3
    assert "黄码：1" in dialog.by_color.text() and "签名错误" in dialog.by_error.text()
    assert dialog.by_source.text().splitlines()[1:] == ["健康码：2", "身份证查询：0", "人工登记：1"]
    out = tmp_path / "events.csv"
    dialog.export_to(out)
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and {r["kind"] for r in rows} == {"decision", "manual"}
    assert sorted(r["source"] for r in rows) == ["code", "code", "manual"]
    assert "name" not in rows[0] and all("王" not in v for r in rows for v in r.values())


def test_a_fresh_install_offers_no_way_to_set_the_first_pin(make_app: MakeApp) -> None:
    """Issue 10 defect 7: F4 with no PIN said "set a new admin PIN", and whatever the person
    at the desk typed became the PIN that leaves the kiosk."""
    h = make_app(admin_pin="")
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F4)
    dialog = _dialog(h, PinDialog)
    assert isinstance(dialog, PinDialog)
    assert "checkpoint-app set-pin" in dialog.prompt.text() and dialog.edit.isHidden()
    h.qtbot.keyClicks(dialog.edit, "5555")
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: dialog not in h.app.admin.dialogs)
    assert not any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs)
    assert st.load(h.app.settings_path).admin_pin == "" and h.app.settings.admin_pin == ""
    assert h.app.admin.check_pin_blocking() is False  # and no way out through the kiosk's exit either
