"""The decode worker: takes the newest frame from its mailbox, decodes it and passes each
new code (after the stabilizer) on. Its `start` slot is the loop, in the decode thread (a
WorkerThread); it sleeps on the mailbox, never busy-waits, and `interrupt()` (closing the
mailbox) ends it."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

from checkpoint_app.core.scanning.exposure import ExposureLink
from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.stabilizer import Stabilizer
from checkpoint_app.workers.frames import Frame

log = logging.getLogger("checkpoint.decode")
FAILED_FRAMES = 10  # failures in a row before the guard is told: one bad frame is not a fault
REPORT_EVERY_S = 60.0  # a failure that persists is logged again at most this often


class DecodeWorker(QObject):
    """Signals: code_read(str text, float t): a code to act on; t is when its frame was read
    (time.monotonic), so the time to decision can be measured from the frame;
    frame_decoded(float ms): one frame's decoding time;
    failed(str): decoding has failed for FAILED_FRAMES frames in a row (a bug, a frame the
    decoders cannot take): nothing is read, and the guard must know (once per fault);
    recovered(): a frame was decoded again after `failed`."""

    code_read = Signal(str, float)
    frame_decoded = Signal(float)
    failed = Signal(str)
    recovered = Signal()

    def __init__(self, box: Mailbox[Frame], pipeline: ScanPipeline, stabilizer: Stabilizer | None = None,
                 exposure: ExposureLink | None = None) -> None:
        super().__init__()
        self.setObjectName("DecodeWorker")
        self._box = box
        self._pipeline = pipeline
        self._exposure = exposure
        self._stabilizer = stabilizer or Stabilizer()
        self._reset = threading.Event()
        self.frames = 0
        self._failures = 0  # in a row
        self._reported_at: float | None = None  # when the failure was last logged

    def forget_codes(self) -> None:
        """Thread-safe: the codes in view count as new again (the guard cancelled a visit)."""
        self._reset.set()

    def interrupt(self) -> None:
        """Thread-safe: the loop ends once the frame in hand is decoded."""
        self._box.close()

    @Slot()
    def start(self) -> None:
        try:
            self._loop()
        finally:
            if self._exposure is not None:
                self._exposure.release()

    @Slot()
    def stop(self) -> None:
        pass  # the loop has ended: interrupt() came first

    def _loop(self) -> None:
        while not self._box.closed:
            frame = self._box.take(timeout=1.0)
            if frame is None:
                continue
            if self._reset.is_set():
                self._reset.clear()
                self._stabilizer.reset()
            try:
                result = self._pipeline.decode(frame.image, frame.t)
            except Exception as exc:  # a decoder bug must not kill the scanner: skip the frame
                self._on_failure(frame, exc)
                continue
            if self._failures >= FAILED_FRAMES:
                log.info("decoding works again after %d failed frames", self._failures)
                self.recovered.emit()
            self._failures, self._reported_at = 0, None
            self.frames += 1
            self.frame_decoded.emit(float(result.ms))
            if self._exposure is not None:
                self._exposure.after_frame(frame.image, bool(result.codes), result.unread, frame.t)
            for code in self._stabilizer.feed(result.codes, frame.t):
                self.code_read.emit(code.text, frame.t)

    def _on_failure(self, frame: Frame, exc: Exception) -> None:
        """The first failure with its traceback, then a count at most every REPORT_EVERY_S
        (a bug hit by every frame logged 30 tracebacks a second); the guard told once."""
        self._failures += 1
        now = time.monotonic()
        if self._reported_at is None:
            log.error("decoding frame %d (%dx%d) failed", frame.index, frame.image.shape[1], frame.image.shape[0],
                      exc_info=exc)
            self._reported_at = now
        elif now - self._reported_at >= REPORT_EVERY_S:
            log.error("decoding still fails: %d frames in a row (%s)", self._failures, type(exc).__name__)
            self._reported_at = now
        if self._failures == FAILED_FRAMES:
            self.failed.emit(type(exc).__name__)
