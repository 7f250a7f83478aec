"""The ID card reader worker: a card placed on a simulated reader reaches the GUI thread as
one IdDocument; refusals and device health arrive as the other hardware workers' do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from checkpoint_app.core.identity import IdDocument
from checkpoint_app.hardware.id_card_reader import ReaderTiming
from checkpoint_app.workers.hardware_workers import IdCardReaderWorker
from tests.support.id_card_sim import Card, SimReader

NUMBER = "11010519491231002X"
FAST = ReaderTiming(poll_interval_s=0.02, reply_timeout_s=0.2, read_timeout_s=0.4, removal_s=0.1,
                    reconnect_s=0.02, max_reconnect_s=0.1)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimReader]:
    device = SimReader(tmp_path / "ttyUSB-idreader")
    yield device
    device.unplug()


@pytest.fixture
def worker(qtbot: QtBot, sim: SimReader) -> Iterator[IdCardReaderWorker]:
    w = IdCardReaderWorker(str(sim.path), timing=FAST)
    with qtbot.waitSignal(w.ready, timeout=5000):
        w.start()
    yield w
    w.stop()


def test_a_placed_card_reaches_the_gui_thread_once(qtbot: QtBot, sim: SimReader, worker: IdCardReaderWorker) -> None:
    got: list[tuple[object, QThread]] = []
    worker.card_read.connect(lambda doc: got.append((doc, QThread.currentThread())))
    with qtbot.waitSignal(worker.card_read, timeout=5000) as blocker:
        sim.place(Card(NUMBER))
    assert blocker.args == [IdDocument(1, NUMBER)]
    qtbot.waitUntil(lambda: len(sim.commands) > 40, timeout=5000)  # the card still lies there
    assert len(got) == 1 and got[0][1] is worker.thread()


def test_a_refused_card_and_a_lost_reader(qtbot: QtBot, sim: SimReader, worker: IdCardReaderWorker) -> None:
    with qtbot.waitSignal(worker.card_rejected, timeout=5000) as blocker:
        sim.place(Card(NUMBER, card_type="I"))
    assert blocker.args == ["unsupported_card"]
    with qtbot.waitSignal(worker.failed, timeout=5000) as failed:
        sim.unplug()
    assert "id_card_reader port" in failed.args[0]
    with qtbot.waitSignal(worker.ready, timeout=5000):
        sim.replug()
