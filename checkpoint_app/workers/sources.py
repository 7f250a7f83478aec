"""Frame sources and the decoder, from the scanner package when it is there.

`checkpoint_app.hardware.sources` and `core.scanning.pipeline` are the scanner's; until
(or unless) they are importable, these small OpenCV/zxing stand-ins keep the window
working with the same shapes: open()/read()/close()/describe()/fps and decode(frame, t)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

log = logging.getLogger("checkpoint.camera")


class FrameSource(Protocol):
    fps: float | None

    def open(self) -> bool: ...
    def read(self) -> np.ndarray | None: ...
    def close(self) -> None: ...
    def describe(self) -> str: ...


class _CvSource:
    """A webcam index, a video file (looped, for the demo) or a stream URL through OpenCV."""

    def __init__(self, spec: str, loop: bool) -> None:
        self.spec, self.loop = spec, loop
        self.fps: float | None = 30.0
        self._cap: Any = None

    def open(self) -> bool:
        target: int | str = int(self.spec) if self.spec.isdigit() else self.spec
        self._cap = cv2.VideoCapture(target)
        if not self._cap.isOpened():
            return False
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 120 else 30.0
        return True

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok and self.loop and Path(self.spec).is_file():
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> str:
        return f"opencv:{self.spec}"


def open_source(spec: str, *, loop: bool = False) -> FrameSource:
    try:
        from checkpoint_app.hardware.sources import open_source as scanner_open_source
    except ImportError:
        return _CvSource(spec, loop)
    source: FrameSource = scanner_open_source(spec, loop=loop)
    return source


class _ZxingPipeline:
    def decode(self, frame: np.ndarray, t: float) -> Any:
        import zxingcpp

        from checkpoint_app.core.scanning.result import FrameResult, ReadCode

        start = time.perf_counter()
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
        codes = tuple(ReadCode.of(str(r.text)) for r in found if r.valid)
        return FrameResult(codes, (time.perf_counter() - start) * 1000)


def make_pipeline(budget_ms: float = 30.0) -> Any:
    try:
        from checkpoint_app.core.scanning.pipeline import ScanPipeline
    except ImportError:
        log.info("scanner pipeline not available; decoding with plain zxing-cpp")
        return _ZxingPipeline()
    return ScanPipeline(budget_ms=budget_ms)
