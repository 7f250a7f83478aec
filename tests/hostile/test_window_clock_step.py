"""The wall clock is set back while a refusal is on screen (NTP stepping a kiosk PC whose
clock ran fast, an installer fixing the time). The refusal must still be dismissable after
its hold and end on time, and the next person's waiting code be taken -- not an hour of a
screen stuck on "no entry" with the whole queue waiting behind it."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt

from checkpoint_app.core.visit_state import MIN_HOLD_S
from checkpoint_app.demo.people import demo_codes
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def test_a_clock_set_back_an_hour_does_not_lock_the_refusal_on_screen(make_app: MakeApp) -> None:
    h = make_app(timeout_refused_s=4.0)
    h.codes = {c.label: c.text for c in demo_codes(int(time.time()) - 7200)}  # still valid an hour earlier
    h.show_code("yellow")
    h.wait_screen("result")
    h.show_code("green")  # the next person, waiting
    h.qtbot.waitUntil(lambda: h.app.machine.state.waiting is not None)
    h.later(-3600)
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)  # within the hold: stays
    assert h.outcome() == "yellow"
    h.later(MIN_HOLD_S)
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)
    h.wait_screen("prompt")  # the waiting code, taken
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Escape)
    h.wait_screen("scan")
    h.show_code("forged")  # a refusal that ends by itself after 4 s
    h.wait_screen("result")
    h.later(-3600)
    h.wait_screen("scan", timeout=8000)  # its timer, nobody pressing anything
    assert sorted((e.kind, e.action) for e in h.events()) == [
        ("abandoned", "measure_temperature"), ("decision", "home_isolation"), ("decision", "invalid_code")]
