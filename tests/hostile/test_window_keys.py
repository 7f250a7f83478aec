"""A guard's wrong keys at the keypad screens: keys that are not digits, digits that are
not ASCII ("²" has its own key on AZERTY keyboards and str.isdigit() says yes to it),
readings that are not temperatures, and the policy's boundaries (34.0 and 43.0 in range,
fever from 37.3 exactly). Nothing is recorded for a key that is not a reading."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from checkpoint_app.core.visit_state import REPEAT_GUARD_S, Phase
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def _press(widget: QWidget, key: Qt.Key, text: str) -> None:
    """A key as the window system delivers it (QTest cannot type "²")."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


NOT_ASCII_DIGITS = [(Qt.Key.Key_twosuperior, "²"), (Qt.Key.Key_threesuperior, "³"), (Qt.Key.Key_unknown, "٣")]


@pytest.mark.parametrize(("key", "text"), NOT_ASCII_DIGITS)
def test_a_digit_that_is_not_ascii_is_no_reason_and_no_reading(make_app: MakeApp, key: Qt.Key, text: str) -> None:
    h = make_app()
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    manual = h.window.manual
    _press(manual, key, text)  # used to kill the process (int("²") inside a key handler)
    assert manual.reason is None
    h.type("1")
    _press(manual, key, text)
    assert manual.keys == ""
    h.type("365")
    _press(manual, key, text)
    h.qtbot.keyClick(manual, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "manual" and [e.temperature_c for e in h.events()] == [36.5]
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)
    h.wait_screen("scan")
    h.show_code("green")
    h.wait_screen("prompt")
    _press(h.window.prompt, key, text)
    h.type("36")
    _press(h.window.prompt, key, text)
    assert h.window.prompt.keys == "36"


# keys typed at the prompt -> the temperature taken (None: nothing), or rejected (measure again)
ENTRIES = [
    ("abc", None, None), ("", None, None), ("3655", None, None),  # not a reading: nothing happens
    ("3..5", None, 3.5), ("99", None, 99.0), ("339", None, 33.9), ("431", None, 43.1),  # measure again
    ("340", 34.0, None), ("430", 43.0, None), ("372", 37.2, None), ("373", 37.3, None), ("37.3", 37.3, None),
]


def test_what_the_guard_types_at_the_prompt(make_app: MakeApp) -> None:
    h = make_app()
    for keys, taken, rejected in ENTRIES:
        h.later(REPEAT_GUARD_S + 1)  # the same demo code, a new visit
        h.show_code("green")
        h.wait_screen("prompt")
        h.type(keys)
        h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
        h.qtbot.wait(50)
        st = h.app.machine.state
        if taken is None:
            assert st.phase is Phase.PROMPT and st.rejected_temperature == rejected, keys
            h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Escape)
        else:
            h.wait_screen("result")
            assert h.outcome() == ("fever" if taken >= 37.3 else "pass"), keys
            assert st.inputs.temperature_c == taken
            h.dismiss()
        h.wait_screen("scan")
    decided = [(e.temperature_c, e.action) for e in h.events() if e.kind == "decision"]
    assert decided == [(34.0, "pass"), (43.0, "fever_referral"), (37.2, "pass"), (37.3, "fever_referral"),
                       (37.3, "fever_referral")]


def test_a_wedge_scan_with_caps_lock_on_is_still_a_health_code(make_app: MakeApp) -> None:
    h = make_app()
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    # Caps Lock inverts what the scanner's Shift+letter types: the code arrives in lower case.
    h.qtbot.keyClicks(h.window.scan, h.codes["yellow"].swapcase())
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "yellow" and [e.action for e in h.events()] == ["home_isolation"]
