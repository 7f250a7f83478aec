"""Frame sources behind one interface: webcam, video file, image folder, RTSP/HTTP stream.

A source never paces itself: read() returns the next frame as soon as it has one (a
file at disk speed, a camera at its own rate) and the caller's timer sets the pace, with
`fps` as a hint. None from read() means "no frame": the end of a file, a camera that was
unplugged, a stream that dropped. ReconnectingSource turns that into a reported state and
reopens with backoff, so a kiosk survives a loose USB cable without a restart."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from checkpoint_app.core.bounds import MAX_FRAME_PIXELS, RefusedFile, check_frame, os_error_text
from checkpoint_app.core.scanning.images import load_image
from checkpoint_app.hardware.exposure import ExposureControl, UvcExposure
from checkpoint_app.hardware.reconnect import ReconnectingSource, ReconnectState

__all__ = ["CaptureSource", "FrameSource", "ImageFolderSource", "ReconnectState", "ReconnectingSource", "open_source"]

log = logging.getLogger("checkpoint.camera")


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
# Stream timeouts: a network camera that stops sending must not block the reader for
# FFmpeg's default 30 s; 5 s is long enough for a slow RTSP handshake.
STREAM_TIMEOUT_MS = 5000


@runtime_checkable
class FrameSource(Protocol):
    fps: float | None

    def open(self) -> bool: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...

    def describe(self) -> str: ...


class CaptureSource:
    """cv2.VideoCapture for a webcam index, a video file or a stream URL."""

    def __init__(self, target: int | str, *, width: int | None = None, height: int | None = None,
                 fps: float | None = None, exposure: float | None = None, focus: float | None = None,
                 loop: bool = False) -> None:
        self.target = target
        self.width, self.height, self.requested_fps = width, height, fps
        self.exposure, self.focus, self.loop = exposure, focus, loop
        self.fps: float | None = fps
        self._cap: cv2.VideoCapture | None = None
        self._exposure: UvcExposure | None = None
        self._probed = False  # manual exposure asked about since open()

    def describe(self) -> str:
        if isinstance(self.target, int):
            return f"camera {self.target}"
        return _redact(self.target)

    def open(self) -> bool:
        self.close()
        cap = self._capture()
        if not cap.isOpened():
            cap.release()
            return False
        if isinstance(self.target, int):
            self._configure(cap)
        try:  # spec 4.4: the announced frame size, before a frame is decoded
            check_frame(cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        except RefusedFile as exc:
            log.error("%s: %s", self.describe(), exc)
            cap.release()
            return False
        self._cap = cap
        reported = cap.get(cv2.CAP_PROP_FPS)
        self.fps = self.requested_fps or (reported if 0 < reported < 240 else None)
        return True

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok and self.loop and self._is_file():
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if ok and frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS:  # a stream that grew its frames
            log.error("%s: a %dx%d frame, more than the frame bound", self.describe(), frame.shape[1], frame.shape[0])
            return None
        return frame if ok else None

    def close(self) -> None:
        self._exposure, self._probed = None, False
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def exposure_control(self) -> ExposureControl | None:
        """Manual exposure of the open camera, or None (a file, a stream, a camera without it,
        an exposure fixed by the options). The camera is asked on the first call after open(),
        in the camera thread: a site without exposure control never has its camera touched."""
        if self._cap is None or not isinstance(self.target, int) or self.exposure is not None:
            return None
        if not self._probed:
            self._probed = True
            self._exposure = UvcExposure.probe(self._cap)
        return self._exposure

    def _is_file(self) -> bool:
        return isinstance(self.target, str) and "://" not in self.target

    def _capture(self) -> cv2.VideoCapture:
        if isinstance(self.target, int):
            return cv2.VideoCapture(self.target)
        if self._is_file():
            if not Path(self.target).is_file():  # FFmpeg would log noise for a missing file
                return cv2.VideoCapture()
            return cv2.VideoCapture(self.target)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS]
        return cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, params)

    def _configure(self, cap: cv2.VideoCapture) -> None:
        # Cameras accept what they support and ignore the rest; a refusal is worth a debug
        # line, not an error: the guard still gets a picture.
        wanted = [(cv2.CAP_PROP_FRAME_WIDTH, self.width), (cv2.CAP_PROP_FRAME_HEIGHT, self.height),
                  (cv2.CAP_PROP_FPS, self.requested_fps)]
        if self.exposure is not None:
            wanted += [(cv2.CAP_PROP_AUTO_EXPOSURE, 1), (cv2.CAP_PROP_EXPOSURE, self.exposure)]
        if self.focus is not None:
            wanted += [(cv2.CAP_PROP_AUTOFOCUS, 0), (cv2.CAP_PROP_FOCUS, self.focus)]
        for prop, value in wanted:
            if value is not None and not cap.set(prop, float(value)):
                log.debug("%s: property %d=%s not supported", self.describe(), prop, value)


class ImageFolderSource:
    """The images of a folder in name order, one per read(); loops by default, like a camera."""

    def __init__(self, folder: str | Path, *, loop: bool = True, fps: float | None = 5.0) -> None:
        self.folder = Path(folder)
        self.loop = loop
        self.fps = fps
        self._files: list[Path] = []
        self._next = 0

    def describe(self) -> str:
        return f"image folder {self.folder}"

    def open(self) -> bool:
        try:
            self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError:
            self._files = []
        self._next = 0
        return bool(self._files)

    def read(self) -> np.ndarray | None:
        # At most one pass over the folder per call: a looping folder of only unreadable
        # files must return None, not spin.
        for _ in range(len(self._files)):
            if self._next >= len(self._files):
                return None
            path = self._files[self._next]
            self._next += 1
            if self.loop and self._next == len(self._files):
                self._next = 0
            try:
                return load_image(path)
            except OSError as exc:
                log.warning("%s: skipping image %s: %s", self.describe(), path.name, os_error_text(exc))
            if not path.exists():
                return None  # the folder changed under us: let the reconnect logic rescan it
        return None

    def close(self) -> None:
        self._files = []


def open_source(spec: str, **options: Any) -> FrameSource:
    """"0" (webcam index), a video file, an image folder, or an rtsp:// / http(s):// URL.

    Options go to the source (width, height, fps, exposure, focus, loop). The source is
    returned unopened: call open(), or wrap it in ReconnectingSource."""
    if re.fullmatch(r"\d{1,2}", spec.strip()):
        return CaptureSource(int(spec), **options)
    if re.match(r"(rtsp|rtsps|rtmp|https?)://", spec, re.IGNORECASE):
        return CaptureSource(spec, **options)
    if Path(spec).is_dir():
        return ImageFolderSource(spec, **options)
    return CaptureSource(spec, **options)


def _redact(target: str) -> str:
    # rtsp://user:password@host/... must not end up in logs or on screen.
    return re.sub(r"(://)[^/@]*@", r"\1***@", target)
