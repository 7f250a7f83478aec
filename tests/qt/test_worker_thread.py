"""WorkerThread, the window's one road for background work: a stop never waits on a busy
worker longer than its bound, a worker's interrupt() ends what it blocks in, and a thread a
stop gave up on is kept (a QThread destroyed while it runs aborts the process)."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal, Slot
from pytestqt.qtbot import QtBot

from checkpoint_app.workers.threads import WorkerThread, left_running


class Blocked(QObject):
    """A worker whose start slot blocks until released; `interruptible` ones release on interrupt()."""

    stopped = Signal()

    def __init__(self, interruptible: bool) -> None:
        super().__init__()
        self.release = threading.Event()
        self.in_slot = threading.Event()
        if interruptible:
            self.interrupt = self.release.set

    @Slot()
    def start(self) -> None:
        self.in_slot.set()
        self.release.wait(30)

    @Slot()
    def stop(self) -> None:
        self.stopped.emit()


def test_an_interrupted_worker_stops_at_once(qtbot: QtBot) -> None:
    worker = Blocked(interruptible=True)
    t = WorkerThread(worker, "test-blocked")
    t.start()
    assert worker.in_slot.wait(5)
    started = time.monotonic()
    assert t.stop(5000)
    assert time.monotonic() - started < 0.5 and not t.thread.isRunning()


def test_a_worker_that_does_not_return_is_given_up_on_after_its_bound(qtbot: QtBot) -> None:
    """It held the GUI thread for as long as the slot ran (BlockingQueuedConnection)."""
    worker = Blocked(interruptible=False)
    t = WorkerThread(worker, "test-stuck")
    t.start()
    assert worker.in_slot.wait(5)
    started = time.monotonic()
    assert not t.stop(300)
    assert 0.25 < time.monotonic() - started < 1.0
    assert left_running() == ["test-stuck"]
    worker.release.set()  # the slot returns at last: its stop runs and the thread ends
    qtbot.waitUntil(lambda: not t.thread.isRunning(), timeout=5000)
    assert left_running() == []
