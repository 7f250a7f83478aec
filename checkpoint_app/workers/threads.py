"""The one road for background work in the window, and the one road home (STYLE rule 3).

Each resource gets a QObject worker moved into its own named QThread: the store, the sync,
lookups, the camera, decoding, the gate, and the one-shot tasks (workers/tasks.py). Work
goes out as queued slot calls; results come home as the worker's signals, queued into the
GUI thread. A worker outlives its thread, so nothing is ever emitted by a deleted object,
and Qt delivers nothing to a receiver that is gone.

A worker has `start` and `stop` slots, run in its thread. One whose slots may block (a
network wait, a loop on a mailbox) has `interrupt()`: thread-safe, it makes the blocking
call return at once. `WorkerThread.stop()` interrupts, then runs `stop` in the worker's
thread and waits a bounded time: a shutdown never hangs on a worker."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Slot

log = logging.getLogger("checkpoint.threads")
STOP_MS = 5000  # a worker's slots are bounded (network deadlines cut by interrupt(), SQLite's busy timeout)
# Threads a stop gave up on. Held here: a QThread destroyed while it runs aborts the process.
_given_up: list[QThread] = []


def left_running() -> list[str]:
    """The names of the threads a stop gave up on that still run: the process must then
    leave without destroying them (os._exit), or Qt aborts it."""
    _given_up[:] = [t for t in _given_up if t.isRunning()]
    return [t.objectName() for t in _given_up]


class _Closer(QObject):
    """Lives in the worker's thread: runs the worker's `stop`, then ends the thread's loop."""

    def __init__(self, worker: QObject) -> None:
        super().__init__()
        self._worker = worker

    @Slot()
    def close(self) -> None:
        try:
            # every worker has a `stop` slot, as `start`; QObject cannot say so
            self._worker.stop()  # type: ignore[attr-defined]
        finally:
            QThread.currentThread().quit()


class WorkerThread:
    """Owns one QThread and one worker moved into it. The worker's `start` slot runs when
    the thread starts; `stop()` ends it as the module says."""

    def __init__(self, worker: QObject, name: str) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self._closer = _Closer(worker)
        self._closer.moveToThread(self.thread)
        # every worker has a `start` slot, as `stop` below; QObject cannot say so
        self.thread.started.connect(worker.start)  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        return self.thread.objectName()

    def start(self) -> None:
        self.thread.start()

    def interrupt(self) -> None:
        """From the GUI thread: what the worker is blocked in ends now (a shutdown calls this
        for every worker first, so that they all wind down at once)."""
        interrupt = getattr(self.worker, "interrupt", None)
        if interrupt is not None and self.thread.isRunning():
            interrupt()

    def stop(self, timeout_ms: int = STOP_MS) -> bool:
        """Interrupt, run the worker's `stop` in its thread, and wait up to `timeout_ms`.
        False (and an error in the log) when the thread is still running then."""
        if not self.thread.isRunning():
            return True
        self.interrupt()
        QMetaObject.invokeMethod(self._closer, "close", Qt.ConnectionType.QueuedConnection)
        if self.thread.wait(timeout_ms):
            return True
        log.error("thread %s did not stop within %d ms; left running", self.name, timeout_ms)
        _given_up.append(self.thread)
        return False
