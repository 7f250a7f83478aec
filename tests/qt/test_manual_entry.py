"""Manual entry (F2) by keyboard alone, through the real window and store: a reason key
1-6, the temperature (required), Enter; a fever is refused like any fever."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from checkpoint_app.core.visit_state import Phase
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def _enter(h: Harness) -> None:
    h.qtbot.keyClick(h.window.current_screen(), Qt.Key.Key_Return)


def test_manual_entry_by_keyboard_alone(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    manual = h.window.manual
    h.type("2")  # the reason: elderly
    assert manual.reason == "elderly" and manual.reason_buttons["elderly"].isChecked()
    h.type("366")
    assert manual.display.text() == "36.6 °C"
    _enter(h)
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == "manual" and r.headline.text() == "准予通行" and "36.6" in r.inputs.text()
    assert r.kind.text() == "人工登记" and r.reasons.text() == "老年人"
    (event,) = h.events()
    assert (event.kind, event.manual_reason, event.temperature_c, event.allow, event.hid) == (
        "manual", "elderly", 36.6, True, None)


def test_enter_without_a_temperature_records_nothing(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    _enter(h)
    assert h.window.manual.error.text() == "请先选择原因（1–6）"
    h.type("1")
    _enter(h)
    assert h.window.manual.error.text() == "请先输入体温"
    h.type("3")
    _enter(h)  # "3" is no reading either
    h.qtbot.wait(50)
    assert h.window.current_screen() is h.window.manual and not h.events()


def test_keys_before_the_reason_and_backspace_back_to_it(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    manual = h.window.manual
    h.type("0.9")  # not reasons: ignored
    assert manual.reason is None and manual.keys == ""
    h.type("636")
    assert (manual.reason, manual.keys) == ("other", "36")
    for _ in range(3):
        h.qtbot.keyClick(manual, Qt.Key.Key_Backspace)
    assert manual.reason is None  # back to the reason
    h.type("4")
    assert manual.reason == "phone_dead"


def test_out_of_range_asks_again_and_cancel_records_nothing(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    h.type("1499")
    _enter(h)
    assert "49.9" in h.window.manual.error.text() and h.window.manual.keys == ""
    h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Delete)  # Del: the kiosk lock swallows Esc
    h.wait_screen("scan")
    h.qtbot.wait(50)
    assert not h.events()


def test_manual_fever_right_after_a_start_is_a_fever_and_never_lets_in(make_app: MakeApp) -> None:
    h = make_app()  # no code scanned yet: the policy comes from the store, not from a first scan
    allowed: list[bool] = []
    h.app.controller.entry_allowed.connect(lambda: allowed.append(True))
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    h.type("1385")
    _enter(h)
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == "fever" and r.headline.text() == "禁止入内"
    assert r.action.text() == "请其原地等候，复测体温" and r.kind.text() == "体温异常"
    assert h.app.sound.last_played == "alarm" and h.app.controller.remaining_s() is None
    (event,) = h.events()
    assert (event.kind, event.action, event.allow, event.temperature_c) == ("manual", "fever_referral", False, 38.5)
    h.qtbot.keyClick(r, Qt.Key.Key_Return)
    assert h.window.current_screen() is r  # held: at least 3 s, and then until dismissed
    h.dismiss()
    h.wait_screen("scan")
    assert allowed == []


def test_the_manual_screen_is_as_large_as_the_main_screens(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")  # laid out at the window's size
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Delete)
    h.wait_screen("scan")
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    m, p = h.window.manual, h.window.prompt
    assert m.size() == p.size() == h.window.stack.size()  # a screen of the window, not a small dialog
    assert m.display.font().pixelSize() == p.display.font().pixelSize()
    h.qtbot.waitUntil(lambda: m.display.height() >= p.display.font().pixelSize())
    for button in m.reason_buttons.values():
        assert button.font().pixelSize() >= p.hint.font().pixelSize()


def test_a_code_read_during_manual_entry_waits(make_app: MakeApp) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    h.show_code("yellow")
    h.qtbot.waitUntil(lambda: h.app.machine.state.waiting is not None)
    assert h.app.machine.state.phase is Phase.MANUAL and h.window.current_screen() is h.window.manual
    h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Escape)
    h.wait_screen("result")  # cancelled: the waiting code, verified again
    assert h.outcome() == "yellow"


def test_the_point_key_types_a_decimal_point(make_app: MakeApp) -> None:
    """3 7 . 2 on the keyboard's point and on the numeric keypad's: 37.2 °C, recorded as such."""
    h = make_app()
    manual = h.window.manual
    for point in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
        h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
        h.wait_screen("manual")
        h.type("1")  # the reason: no smartphone
        h.qtbot.keyClick(manual, Qt.Key.Key_3, point)
        h.qtbot.keyClick(manual, Qt.Key.Key_7, point)
        h.qtbot.keyClick(manual, Qt.Key.Key_Period, point)
        assert manual.keys == "37." and manual.display.text().startswith("37.")
        h.qtbot.keyClick(manual, Qt.Key.Key_2, point)
        assert manual.keys == "37.2" and manual.display.text() == "37.2 °C"
        _enter(h)
        h.wait_screen("result")
        assert h.outcome() == "manual" and "37.2" in h.window.result.inputs.text()
        h.dismiss()
        h.wait_screen("scan")
    assert [(e.kind, e.temperature_c, e.allow) for e in h.events()] == [("manual", 37.2, True)] * 2
