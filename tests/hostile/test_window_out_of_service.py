"""A bug caught while a green code waits at the temperature prompt: the window says "out
of service" (and restarts a few seconds later). A serial thermometer that goes on sending
readings meanwhile must not finish the hidden visit: a pass nobody sees, recorded and
with the gate opened, while the guard reads "out of service". A pseudo-terminal as the
thermometer, a loopback turnstile controller as the gate."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.visit_state import REPEAT_GUARD_S
from checkpoint_app.workers.hardware_workers import ThermometerWorker
from tests.support.gate_controller import Controller, running_controller
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


@pytest.fixture
def gate() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


def _send_readings(h: Harness, master: int, ms: int) -> None:
    for _ in range(ms // 100):
        os.write(master, b"36.5\r\n")
        h.qtbot.wait(100)


@pytest.mark.qt_no_exception_capture
def test_a_thermometer_reading_does_not_finish_a_visit_hidden_by_out_of_service(
        make_app: MakeApp, gate: Controller, pty: tuple[int, str]) -> None:
    master, port = pty
    h = make_app(gate_kind="http", gate_http_url=gate.url, thermometer_port=port, thermometer_protocol="line")
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    thermometer = next(w for w in h.app.hardware if isinstance(w, ThermometerWorker))
    h.qtbot.waitUntil(lambda: thermometer._driver.connected, timeout=5000)
    left: list[int] = []
    h.app.catch_bugs(leave=left.append, restart_after_ms=None)  # uninstalled again by shutdown
    h.show_code("green")
    h.wait_screen("prompt")

    def broken_slot() -> None:
        raise RuntimeError("a bug in a slot")

    QTimer.singleShot(0, broken_slot)
    h.qtbot.waitUntil(lambda: h.outcome() == "out_of_service")
    _send_readings(h, master, 1000)
    assert h.outcome() == "out_of_service" and h.window.current_screen() is h.window.result
    assert h.events() == [] and gate.bodies == []
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)  # the guard dismisses it: scanning again
    h.wait_screen("scan")
    h.later(REPEAT_GUARD_S)
    h.show_code("green")  # the person shows the code again; the thermometer answers the prompt
    h.wait_screen("prompt")
    _send_readings(h, master, 500)
    h.wait_screen("result")
    assert h.outcome() == "pass"
    h.qtbot.waitUntil(lambda: len(gate.bodies) == 1, timeout=5000)
