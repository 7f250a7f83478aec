"""A turnstile controller that hangs (a stuck controller, a network blip): the gate's
requests queue up behind the one in flight. When it answers again, the queue must not
pour out openings for people whose screens have long gone -- the gate would open while a
yellow code stands in front of it. Real window, HttpGate, a loopback controller."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.support.gate_controller import Controller, running_controller
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


@pytest.fixture
def gate() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


def _manual_pass(h: Harness) -> None:
    """F2, reason 1, 36.5 °C, Enter: someone without a phone, let in."""
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
    h.wait_screen("manual")
    h.type("1365")
    h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "manual"


def test_a_hung_gate_does_not_open_later_for_a_refusal(make_app: MakeApp, gate: Controller) -> None:
    h = make_app(gate_kind="http", gate_http_url=gate.url)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    gate.hang = True
    _manual_pass(h)  # its request reaches the controller, which does not answer
    h.qtbot.waitUntil(lambda: len(gate.bodies) == 1)
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)  # the guard let them through by hand
    h.wait_screen("scan")
    _manual_pass(h)  # queued behind the hung request
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)
    h.wait_screen("scan")
    h.show_code("yellow")
    h.wait_screen("result")
    gate.hang = False
    gate.release.set()  # the controller answers again
    bar = h.window.status
    h.qtbot.waitUntil(lambda: "gate" in bar.device_problems, timeout=5000)  # "open by hand": it was dropped
    h.qtbot.wait(500)
    assert h.outcome() == "yellow" and len(gate.bodies) == 1  # no opening in front of the yellow code
    h.dismiss()
    h.wait_screen("scan")
    _manual_pass(h)  # the gate works again for the next allowed person
    h.qtbot.waitUntil(lambda: len(gate.bodies) == 2, timeout=5000)
    assert sorted(e.allow for e in h.events()) == [False, True, True, True]  # every decision recorded
    h.qtbot.waitUntil(lambda: "gate" not in bar.device_problems)


def test_quitting_while_the_gate_hangs_drops_the_queued_openings(make_app: MakeApp, gate: Controller) -> None:
    """Three people let in while the controller hangs, then the window is quit: the shutdown
    waits for the opening in flight (the gate's 2 s timeout) but not for the two queued
    behind it -- it waited 3 x 2 s, past its 5 s, and left the thread running."""
    h = make_app(gate_kind="http", gate_http_url=gate.url)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    gate.hang = True
    worker = h.app.hardware[0]
    for _ in range(3):
        worker.open_gate()  # type: ignore[attr-defined]
    h.qtbot.waitUntil(lambda: len(gate.bodies) == 1, timeout=5000)
    started = time.monotonic()
    h.app.shutdown()
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert len(gate.bodies) == 1
    assert not worker._thread.thread.isRunning()  # type: ignore[attr-defined]
