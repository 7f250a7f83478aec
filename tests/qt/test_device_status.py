"""A gate that does not open shows in the status bar until it opens again: the guard must
know to open it by hand. Real window, real HttpGate against a loopback HTTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.support.gate_controller import Controller, running_controller
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


@pytest.fixture
def gate_server() -> Iterator[Controller]:
    with running_controller() as server:
        server.status = 503
        yield server


def _pass(h: Harness, label: str) -> None:
    h.show_code(label)
    h.wait_screen("prompt")
    h.type("365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass"


def test_gate_failure_shows_until_the_gate_opens(make_app: MakeApp, gate_server: Controller) -> None:
    url = gate_server.url
    h = make_app(gate_kind="http", gate_http_url=url, timeout_pass_s=1.0)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    bar = h.window.status
    assert bar.devices.isHidden()
    _pass(h, "green")
    h.qtbot.waitUntil(lambda: not bar.devices.isHidden(), timeout=10000)
    assert bar.devices.text() == "闸机故障：请手动开闸" and len(gate_server.bodies) >= 1
    h.wait_screen("scan", timeout=5000)
    gate_server.status = 200
    _pass(h, "green-whitelist")  # another person: the same code again would be a repeat
    h.qtbot.waitUntil(lambda: bar.devices.isHidden(), timeout=10000)
