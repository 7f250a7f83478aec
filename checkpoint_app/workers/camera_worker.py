"""The camera thread: reads frames at the source's pace and leaves each in two one-slot
mailboxes, one for the decoder and one for the preview (STYLE rules 3-5)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.hardware.sources import FrameSource
from checkpoint_app.workers.frames import Frame, PreviewFrame, owned, to_qimage

log = logging.getLogger("checkpoint.camera")
RETRY_MS = 2000
MISSES_BEFORE_RECONNECT = 15


class CameraWorker(QObject):
    """Lives in its own QThread; start with `start()` queued into that thread.

    Signals: state_changed(str): starting/running/reconnecting/failed/stopped;
    preview_ready(): the preview mailbox went from empty to full."""

    state_changed = Signal(str)
    preview_ready = Signal()

    def __init__(self, make_source: Callable[[], FrameSource], decode_box: Mailbox[Frame],
                 preview_box: Mailbox[PreviewFrame]) -> None:
        super().__init__()
        self._make_source = make_source
        self._decode_box, self._preview_box = decode_box, preview_box
        self._source: FrameSource | None = None
        self._timer: QTimer | None = None
        self._index = 0
        self._misses = 0
        self.state = "stopped"
        # (index, time) of every frame read, when a benchmark asks for it (list.append is atomic)
        self.frame_log: list[tuple[int, float]] | None = None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("camera %s", state)
            self.state_changed.emit(state)

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._set_state("starting")
        self._open()

    def _open(self) -> None:
        assert self._timer is not None
        self._source = self._make_source()
        if not self._source.open():
            self._source.close()
            self._source = None
            self._set_state("failed" if self.state in ("starting", "failed") else "reconnecting")
            QTimer.singleShot(RETRY_MS, self, self._retry)
            return
        self._misses = 0
        self._timer.start(max(1, round(1000 / (self._source.fps or 30.0))))
        self._set_state("running")

    @Slot()
    def _retry(self) -> None:
        if self._timer is not None and self._source is None and self.state != "stopped":
            self._open()

    @Slot()
    def _on_tick(self) -> None:
        if self._source is None:
            return
        image = self._source.read()
        if image is None:
            self._misses += 1
            if self._misses >= MISSES_BEFORE_RECONNECT:
                log.warning("camera %s stopped giving frames; reconnecting", self._source.describe())
                self._drop_source()
                self._set_state("reconnecting")
                QTimer.singleShot(RETRY_MS, self, self._retry)
            return
        self._misses = 0
        t = time.monotonic()
        self._index += 1
        if self.frame_log is not None:
            self.frame_log.append((self._index, t))
        self._decode_box.put(Frame(owned(image), t, self._index))
        if self._preview_box.put(PreviewFrame(to_qimage(image), t, self._index)):
            self.preview_ready.emit()

    def _drop_source(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._source is not None:
            self._source.close()
            self._source = None

    @Slot()
    def stop(self) -> None:
        """Runs in the camera thread (queued, blocking) before the thread quits."""
        self._drop_source()
        self._set_state("stopped")
