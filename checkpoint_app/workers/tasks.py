"""One-shot work off the GUI thread, and its way home (anki's taskman: run in the
background, deliver on the main thread, never to a receiver that is gone).

    task = tasks.run(partial(guard.check, pin, stored), self._on_checked, receiver=self)
    task.cancel()  # the dialog closed: _on_checked will not run

The jobs run one after another on the runner's own thread ("tasks", a WorkerThread) and
are short by contract (a PIN's slow hash, an audio probe bounded by its own timeout).
`on_done(result)` runs on the GUI thread through the runner's signal -- the runner outlives
its thread, so nothing is emitted on a deleted object -- and only while the task is not
cancelled and its `receiver` still exists. A job that raises is a bug: it reaches the
crash handler like any slot's, and its on_done does not run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from checkpoint_app.workers.threads import WorkerThread


@dataclass(eq=False)
class Task:
    job: Callable[[], Any]
    on_done: Callable[[Any], None]
    receiver: QObject | None
    cancelled: bool = False  # read and written on the GUI thread only

    def cancel(self) -> None:
        """From the GUI thread: on_done will not run (the job, if started, still finishes)."""
        self.cancelled = True


class _TaskWorker(QObject):
    """Lives in the tasks thread. Signals: finished(Task, object result)."""

    finished = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self._closing = False

    def interrupt(self) -> None:
        self._closing = True  # jobs still queued are dropped: nobody waits for them any more

    @Slot()
    def start(self) -> None:
        pass

    @Slot()
    def stop(self) -> None:
        pass

    @Slot(object)
    def run(self, task: Task) -> None:
        if not self._closing:
            self.finished.emit(task, task.job())


class TaskRunner(QObject):
    _submitted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = _TaskWorker()
        self._submitted.connect(self._worker.run)  # queued into the tasks thread
        self._worker.finished.connect(self._on_finished)  # queued home into the GUI thread
        self.worker_thread = WorkerThread(self._worker, "tasks")
        self.running = 0  # submitted and not yet home (for tests and the shutdown's log)

    def start(self) -> None:
        self.worker_thread.start()

    def stop(self, timeout_ms: int = 5000) -> bool:
        return self.worker_thread.stop(timeout_ms)

    def run(self, job: Callable[[], Any], on_done: Callable[[Any], None], *,
            receiver: QObject | None = None) -> Task:
        """From the GUI thread: `job()` in the background, then `on_done(result)` here."""
        task = Task(job, on_done, receiver)
        self.running += 1
        self._submitted.emit(task)
        return task

    @Slot(object, object)
    def _on_finished(self, task: Task, result: object) -> None:
        self.running -= 1
        if task.cancelled or (task.receiver is not None and not shiboken6.isValid(task.receiver)):
            return
        task.on_done(result)
