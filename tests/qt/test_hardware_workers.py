"""The hardware workers' signals, from driver threads to slots in the GUI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from checkpoint_app.hardware.gate import HttpGate
from checkpoint_app.workers.hardware_workers import GateWorker, SerialScannerWorker, ThermometerWorker
from tests.support.gate_controller import Controller, running_controller


def test_thermometer_worker_emits_readings_in_the_gui_thread(qtbot: QtBot, pty) -> None:
    master, path = pty
    worker = ThermometerWorker(path, "line")
    threads: list[QThread] = []
    worker.temperature_read.connect(lambda _: threads.append(QThread.currentThread()))
    worker.start()
    try:
        with qtbot.waitSignal(worker.temperature_read, timeout=5000) as blocker:
            _resend_until(qtbot, master, b"36.5\r\n", worker.temperature_read)
        assert blocker.args == [36.5]
        assert threads[0] is worker.thread()
    finally:
        worker.stop()


def test_scanner_worker_emits_scans(qtbot: QtBot, pty) -> None:
    master, path = pty
    worker = SerialScannerWorker(path)
    worker.start()
    try:
        with qtbot.waitSignal(worker.scanned, timeout=5000) as blocker:
            _resend_until(qtbot, master, b"JKM1:ABC\r", worker.scanned)
        assert blocker.args == ["JKM1:ABC"]
    finally:
        worker.stop()


def _resend_until(qtbot: QtBot, master: int, data: bytes, signal) -> None:
    """pyserial empties its input when it opens, so repeat until the worker has heard it."""
    got: list[object] = []
    signal.connect(lambda *a: got.append(a))
    qtbot.waitUntil(lambda: os.write(master, data) > 0 and bool(got), timeout=5000)


@pytest.fixture
def controller() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


def test_gate_worker_opens_for_every_request_and_reports_failure(qtbot: QtBot, controller: Controller) -> None:
    url = controller.url
    worker = GateWorker(HttpGate(url))
    opened: list[bool] = []
    worker.opened.connect(lambda: opened.append(True))
    worker.start()
    try:
        for _ in range(3):
            worker.open_gate()
        qtbot.waitUntil(lambda: len(opened) == 3, timeout=5000)
        controller.status = 500
        with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
            worker.open_gate()
        assert "HTTP 500" in blocker.args[0]
    finally:
        worker.stop()
