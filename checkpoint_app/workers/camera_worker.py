"""The camera thread: reads frames at the source's pace and leaves each in two one-slot
mailboxes, one for the decoder and one for the preview (STYLE rules 3-5)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from checkpoint_app.core.scanning.exposure import AUTO, ExposureLink, ExposureRequest
from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.hardware.exposure import apply as apply_exposure
from checkpoint_app.hardware.reconnect import ReconnectingSource, ReconnectState
from checkpoint_app.hardware.sources import FrameSource
from checkpoint_app.workers.frames import Frame, PreviewFrame, owned, to_qimage
from checkpoint_app.workers.values import CameraState

log = logging.getLogger("checkpoint.camera")
# A lost camera is reopened after 2 s, then 4, 8 ... up to 30 s (hardware.reconnect).
RETRY_S = 2.0
MAX_RETRY_S = 30.0
DEFAULT_INTERVAL_MS = 33


class CameraWorker(QObject):
    """Lives in its own QThread; start with `start()` queued into that thread.

    Signals: state_changed(CameraState);
    preview_ready(): the preview mailbox went from empty to full."""

    state_changed = Signal(object)
    preview_ready = Signal()

    def __init__(self, make_source: Callable[[], FrameSource], decode_box: Mailbox[Frame],
                 preview_box: Mailbox[PreviewFrame], exposure: ExposureLink | None = None) -> None:
        super().__init__()
        self._make_source = make_source
        self._decode_box, self._preview_box = decode_box, preview_box
        self._exposure = exposure
        self._manual = False  # the camera holds an exposure we asked for
        self._told_unsupported = False
        self._source: ReconnectingSource | None = None
        self._timer: QTimer | None = None
        self._index = 0
        self._ever_open = False
        self.state = CameraState.STOPPED
        # (index, time) of every frame read, when a benchmark asks for it (list.append is atomic)
        self.frame_log: list[tuple[int, float]] | None = None

    def _set_state(self, state: CameraState) -> None:
        if state != self.state:
            self.state = state
            log.info("camera %s", state)
            self.state_changed.emit(state)

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(DEFAULT_INTERVAL_MS)  # never 0: a lost source is polled, not spun on
        self._timer.timeout.connect(self._on_tick)
        self._set_state(CameraState.STARTING)
        # One reconnect mechanism for every source (webcam, file, folder, stream): a source
        # that fails or disappears is reopened with backoff, and the timer keeps polling it.
        self._source = ReconnectingSource(self._make_source(), blocking=False, initial_backoff_s=RETRY_S,
                                          max_backoff_s=MAX_RETRY_S, on_state=self._on_source_state)
        self._source.open()
        self._timer.start()

    def _on_source_state(self, state: ReconnectState, _message: str) -> None:
        if state == ReconnectState.OPEN:
            self._ever_open = True
            fps = self._source.fps if self._source is not None else None
            if self._timer is not None:
                self._timer.setInterval(max(1, round(1000 / fps)) if fps else DEFAULT_INTERVAL_MS)
            self._set_state(CameraState.RUNNING)
        elif state == ReconnectState.LOST and self.state != CameraState.STOPPED:
            self._set_state(CameraState.RECONNECTING if self._ever_open else CameraState.FAILED)

    @Slot()
    def _on_tick(self) -> None:
        if self._source is None:
            return
        if self._exposure is not None:
            self._apply_exposure(self._exposure.take())
        image = self._source.read()  # None while the source is away; it reopens when due
        if image is None:
            return
        t = time.monotonic()
        self._index += 1
        if self.frame_log is not None:
            self.frame_log.append((self._index, t))
        self._decode_box.put(Frame(owned(image), t, self._index))
        if self._preview_box.put(PreviewFrame(to_qimage(image), t, self._index)):
            self.preview_ready.emit()

    def _apply_exposure(self, request: ExposureRequest | None) -> None:
        """The decode thread's latest exposure request, carried out here where the camera lives."""
        if request is None or self._source is None:
            return
        control = self._source.exposure_control()
        if control is None:
            if not self._told_unsupported and not request.auto:
                log.info("%s: no manual exposure; exposure control stays off", self._source.describe())
                self._told_unsupported = True
            return
        if apply_exposure(control, request):
            self._manual = not request.auto

    @Slot()
    def stop(self) -> None:
        """Runs in the camera thread (queued, blocking) before the thread quits."""
        if self._timer is not None:
            self._timer.stop()
        self._set_state(CameraState.STOPPED)
        if self._manual:
            self._apply_exposure(AUTO)  # leave the camera as we found it
        if self._source is not None:
            self._source.close()
            self._source = None
