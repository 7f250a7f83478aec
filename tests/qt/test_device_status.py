"""A gate that does not open shows in the status bar until it opens again: the guard must
know to open it by hand. Real window, real HttpGate against a loopback HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from qt_harness import Harness

MakeApp = Callable[..., Harness]


class GateServer(ThreadingHTTPServer):
    status = 503
    calls = 0


class _Handler(BaseHTTPRequestHandler):
    server: GateServer

    def do_POST(self) -> None:
        self.server.calls += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gate_server() -> Iterator[GateServer]:
    server = GateServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _pass(h: Harness, label: str) -> None:
    h.show_code(label)
    h.wait_screen("prompt")
    h.type("365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass"


def test_gate_failure_shows_until_the_gate_opens(make_app: MakeApp, gate_server: GateServer) -> None:
    url = f"http://127.0.0.1:{gate_server.server_address[1]}/open"
    h = make_app(gate_kind="http", gate_http_url=url, timeout_pass_s=1.0)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    bar = h.window.status
    assert bar.devices.isHidden()
    _pass(h, "green")
    h.qtbot.waitUntil(lambda: not bar.devices.isHidden(), timeout=10000)
    assert bar.devices.text() == "闸机故障:请手动开闸" and gate_server.calls >= 1
    h.wait_screen("scan", timeout=5000)
    gate_server.status = 200
    _pass(h, "green-whitelist")  # another person: the same code again would be a repeat
    h.qtbot.waitUntil(lambda: bar.devices.isHidden(), timeout=10000)
