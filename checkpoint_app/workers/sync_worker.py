"""The sync thread: its own Store connection on the same file (WAL lets the store thread
go on reading), so a long first sync never holds up a scan."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.store.store import Store
from checkpoint_app.core.sync.deadline import Cancel
from checkpoint_app.workers.values import SyncOutcome

log = logging.getLogger("checkpoint.sync")


class SyncWorker(QObject):
    """Signals: sync_started(); sync_finished(SyncOutcome)."""

    sync_started = Signal()
    sync_finished = Signal(object)

    def __init__(self, data_dir: Path, server_url: str, token: str, root_keys: Sequence[PublicKey],
                 interval_s: int, checkpoint_id: str | None) -> None:
        super().__init__()
        self._data_dir, self._url, self._token = data_dir, server_url, token
        self._keys, self._interval_ms, self._checkpoint_id = list(root_keys), interval_s * 1000, checkpoint_id
        self._store: Store | None = None
        self._timer: QTimer | None = None
        self._cancel = Cancel()

    def interrupt(self) -> None:
        """From any thread, before `stop`: a sync in flight ends now (WorkerThread.stop)."""
        self._cancel.set()

    @Slot()
    def start(self) -> None:
        self._store = Store.open(self._data_dir, check=False)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.sync_now)
        self._timer.start(self._interval_ms)
        self.sync_now()

    @Slot()
    def sync_now(self) -> None:
        if self._store is None or self._cancel.is_set:
            return
        from checkpoint_app.core.sync.client import sync_once

        self.sync_started.emit()
        report = sync_once(self._store, self._url, self._token, self._keys, checkpoint_id=self._checkpoint_id,
                            cancel=self._cancel)
        err = None if report.error is None else str(report.error)
        (log.info if err is None else log.warning)("sync: %s", report.summary())
        self.sync_finished.emit(SyncOutcome(err is None, int(time.time()), report.summary(), err))

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._store is not None:
            self._store.close()
            self._store = None
