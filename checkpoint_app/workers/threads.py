"""Run a QObject worker in its own QThread, and stop it in one well-defined way."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread

log = logging.getLogger("checkpoint.threads")


class WorkerThread:
    """Owns one QThread and one worker moved into it. The worker's `start` slot runs when
    the thread starts; `stop()` runs the worker's `stop` slot in its thread, then joins.
    A worker that may be blocked in the network has `interrupt()`, which `stop()` calls
    first from its own thread: the `stop` slot runs only once the busy slot returns."""

    def __init__(self, worker: QObject, name: str) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        # every worker has a `start` slot, as `stop` below; QObject cannot say so
        self.thread.started.connect(worker.start)  # type: ignore[attr-defined]

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_ms: int = 10000) -> None:
        if not self.thread.isRunning():
            return
        interrupt = getattr(self.worker, "interrupt", None)
        if interrupt is not None:
            interrupt()
        QMetaObject.invokeMethod(self.worker, "stop", Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.error("thread %s did not stop in %d ms", self.thread.objectName(), timeout_ms)
