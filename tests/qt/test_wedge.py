"""The keyboard-wedge filter on real widgets: scans leave the key stream, typing stays."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from checkpoint_app.gui.wedge_filter import WedgeFilter
from tests.support.clocks import FakeClock

# The offscreen platform says this on every show(); it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

PAYLOAD = "JKM1:" + "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B" * 4 + "Q2"


@pytest.fixture
def form(qtbot: QtBot) -> tuple[QWidget, QLineEdit, QLineEdit]:
    top = QWidget()
    temp, other = QLineEdit(top), QLineEdit(top)
    layout = QVBoxLayout(top)
    layout.addWidget(temp)
    layout.addWidget(other)
    qtbot.addWidget(top)
    top.show()
    temp.setFocus()
    return top, temp, other


@pytest.fixture
def wedge(qtbot: QtBot) -> tuple[WedgeFilter, FakeClock]:
    clock = FakeClock()
    f = WedgeFilter(max_gap_ms=40, min_length=8, clock=clock)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(f)
    yield f, clock
    app.removeEventFilter(f)


def type_keys(qtbot: QtBot, widget: QWidget, text: str, clock: FakeClock, gap: float) -> None:
    for ch in text:
        clock.now += gap
        if ch == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(widget, ch)


def test_typed_temperature_reaches_the_field_and_is_not_a_scan(qtbot, form, wedge) -> None:
    _, temp, _ = form
    f, clock = wedge
    scans: list[str] = []
    f.scanned.connect(scans.append)
    with qtbot.waitSignal(temp.returnPressed, timeout=1000):
        type_keys(qtbot, temp, "36.5\n", clock, gap=0.18)
    assert temp.text() == "36.5"
    assert scans == []


def test_a_burst_is_scanned_and_never_typed(qtbot, form, wedge) -> None:
    _, temp, _ = form
    f, clock = wedge
    entered: list[bool] = []
    temp.returnPressed.connect(lambda: entered.append(True))
    with qtbot.waitSignal(f.scanned, timeout=1000) as blocker:
        type_keys(qtbot, temp, PAYLOAD + "\n", clock, gap=0.004)
    assert blocker.args == [PAYLOAD]
    assert len(PAYLOAD) > 200
    qtbot.wait(80)  # longer than the hold gap: nothing may trickle out afterwards
    assert temp.text() == "" and entered == []


def test_real_clock_and_real_timer(qtbot, form) -> None:
    """Without injected time: keyClicks is a burst; one key alone comes out after the gap."""
    _, temp, _ = form
    f = WedgeFilter(max_gap_ms=40)
    QApplication.instance().installEventFilter(f)
    try:
        with qtbot.waitSignal(f.scanned, timeout=1000) as blocker:
            qtbot.keyClicks(temp, PAYLOAD)
            qtbot.keyClick(temp, Qt.Key.Key_Return)
        assert blocker.args == [PAYLOAD] and temp.text() == ""
        qtbot.keyClick(temp, "3")
        assert temp.text() == ""  # held for one gap ...
        qtbot.waitUntil(lambda: temp.text() == "3", timeout=1000)  # ... then delivered
    finally:
        QApplication.instance().removeEventFilter(f)


def test_shift_inside_a_burst_does_not_break_it(qtbot, form, wedge) -> None:
    _, temp, _ = form
    f, clock = wedge
    shift = Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(f.scanned, timeout=1000) as blocker:
        for ch in "JKM1:ABCDEFGH":
            clock.now += 0.003
            if ch.isupper():  # a scanner types capitals as Shift + letter
                QApplication.sendEvent(temp, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, shift))
                qtbot.keyClick(temp, ch, shift)
                QApplication.sendEvent(temp, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Shift, shift))
            else:
                qtbot.keyClick(temp, ch)
        qtbot.keyClick(temp, Qt.Key.Key_Return)
    assert blocker.args == ["JKM1:ABCDEFGH"]
    assert temp.text() == ""


def test_a_burst_without_enter_is_dropped_and_logged(qtbot, form, wedge, caplog) -> None:
    _, temp, _ = form
    f, clock = wedge
    scans: list[str] = []
    f.scanned.connect(scans.append)
    with caplog.at_level(logging.WARNING, logger="checkpoint.hardware.wedge"):
        type_keys(qtbot, temp, PAYLOAD[:60], clock, gap=0.004)
        qtbot.waitUntil(lambda: "60-key burst" in caplog.text, timeout=1000)
    assert temp.text() == "" and scans == []
    assert "JKM1" not in caplog.text  # lengths only, never payload text


def test_an_editing_key_releases_held_keys_first(qtbot, form, wedge) -> None:
    _, temp, _ = form
    _, clock = wedge
    type_keys(qtbot, temp, "37", clock, gap=0.01)  # fast enough to be held together
    assert temp.text() == ""
    qtbot.keyClick(temp, Qt.Key.Key_Backspace)
    assert temp.text() == "3"


def test_held_keys_go_to_the_widget_they_were_typed_into(qtbot, form, wedge) -> None:
    _, temp, other = form
    _, clock = wedge
    type_keys(qtbot, temp, "36", clock, gap=0.01)
    other.setFocus()
    clock.now += 1.0
    qtbot.keyClick(other, "9")  # the gap ended the run "36", which goes to `temp`
    assert temp.text() == "36"
    qtbot.waitUntil(lambda: other.text() == "9", timeout=1000)
