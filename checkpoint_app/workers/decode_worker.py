"""The decode worker: takes the newest frame from its mailbox, decodes it and passes each
new code (after the stabilizer) on. Its `start` slot is the loop, in the decode thread (a
WorkerThread); it sleeps on the mailbox, never busy-waits, and `interrupt()` (closing the
mailbox) ends it."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

from checkpoint_app.core.scanning.exposure import ExposureLink
from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.stabilizer import Stabilizer
from checkpoint_app.workers.frames import Frame

log = logging.getLogger("checkpoint.decode")


class DecodeWorker(QObject):
    """Signals: code_read(str text, float t): a code to act on; t is when its frame was read
    (time.monotonic), so the time to decision can be measured from the frame;
    frame_decoded(float ms): one frame's decoding time."""

    code_read = Signal(str, float)
    frame_decoded = Signal(float)

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
            except Exception:  # a decoder bug must not kill the scanner: log, skip the frame
                log.exception("decoding frame %d failed", frame.index)
                continue
            self.frames += 1
            self.frame_decoded.emit(float(result.ms))
            if self._exposure is not None:
                self._exposure.after_frame(frame.image, bool(result.codes), result.unread, frame.t)
            for code in self._stabilizer.feed(result.codes, frame.t):
                self.code_read.emit(code.text, frame.t)
