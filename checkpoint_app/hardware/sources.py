"""Frame sources behind one interface: webcam, video file, image folder, RTSP/HTTP stream.

A source never paces itself: read() returns the next frame as soon as it has one (a
file at disk speed, a camera at its own rate) and the caller's timer sets the pace, with
`fps` as a hint. None from read() means "no frame": the end of a file, a camera that was
unplugged, a stream that dropped. ReconnectingSource turns that into a reported state and
reopens with backoff, so a kiosk survives a loose USB cable without a restart."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

__all__ = ["LOST", "OPEN", "RECONNECTING", "CaptureSource", "FrameSource", "ImageFolderSource", "ReconnectingSource",
           "open_source"]

log = logging.getLogger("checkpoint.camera")

OPEN, LOST, RECONNECTING = "open", "lost", "reconnecting"

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
        self._cap = cap
        if isinstance(self.target, int):
            self._configure(cap)
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
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

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
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            log.warning("%s: skipping unreadable image %s", self.describe(), path.name)
            if not path.exists():
                return None  # the folder changed under us: let the reconnect logic rescan it
        return None

    def close(self) -> None:
        self._files = []


class ReconnectingSource:
    """Wraps a source; read() never raises and returns None while the source is away.

    States: "open" (frames flow), "lost" (waiting for the next attempt), "reconnecting"
    (an attempt is under way). Each failed attempt doubles the wait up to max_backoff_s;
    the first good frame resets it. With blocking=True (a decode thread) read() sleeps
    until the next attempt is due instead of returning None at once, so a caller's loop
    cannot spin; the GUI timer uses blocking=False. clock and sleep are injectable so
    tests run the whole cycle without waiting."""

    def __init__(self, source: FrameSource, *, initial_backoff_s: float = 0.5, max_backoff_s: float = 10.0,
                 factor: float = 2.0, blocking: bool = True, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 on_state: Callable[[str, str], None] | None = None) -> None:
        self.source = source
        self.initial_backoff_s, self.max_backoff_s, self.factor = initial_backoff_s, max_backoff_s, factor
        self.blocking = blocking
        self._clock, self._sleep, self._on_state = clock, sleep, on_state
        self.state = LOST
        self.backoff_s = initial_backoff_s
        self.next_attempt = clock()
        self.failures = 0

    @property
    def fps(self) -> float | None:
        return self.source.fps

    def describe(self) -> str:
        return self.source.describe()

    def open(self) -> bool:
        return self._attempt()

    def read(self) -> np.ndarray | None:
        if self.state != OPEN:
            wait = self.next_attempt - self._clock()
            if wait > 0:
                if not self.blocking:
                    return None
                self._sleep(wait)
            if not self._attempt():
                return None
        frame = self.source.read()
        if frame is None:
            self._lose("no frame")
            return None
        self.backoff_s = self.initial_backoff_s
        return frame

    def close(self) -> None:
        self.source.close()
        self._set(LOST, "closed")

    def _attempt(self) -> bool:
        self._set(RECONNECTING, f"opening {self.describe()}")
        try:
            ok = self.source.open()
        except Exception as exc:  # a driver can raise anything; a camera problem is not a crash
            log.warning("%s: open raised %r", self.describe(), exc)
            ok = False
        if ok:
            self._set(OPEN, f"{self.describe()} open")
            return True
        self._lose("cannot open")
        return False

    def _lose(self, why: str) -> None:
        self.source.close()
        self.failures += 1
        self.next_attempt = self._clock() + self.backoff_s
        self._set(LOST, f"{self.describe()}: {why}; retrying in {self.backoff_s:.1f} s")
        self.backoff_s = min(self.max_backoff_s, self.backoff_s * self.factor)

    def _set(self, state: str, message: str) -> None:
        changed = state != self.state
        self.state = state
        if changed and state == LOST:
            log.warning("%s", message)
        elif changed:
            log.info("%s", message)
        if changed and self._on_state is not None:
            self._on_state(state, message)


def open_source(spec: str, **options: object) -> FrameSource:
    """"0" (webcam index), a video file, an image folder, or an rtsp:// / http(s):// URL.

    Options go to the source (width, height, fps, exposure, focus, loop). The source is
    returned unopened: call open(), or wrap it in ReconnectingSource."""
    if re.fullmatch(r"\d{1,2}", spec.strip()):
        return CaptureSource(int(spec), **options)  # type: ignore[arg-type]
    if re.match(r"(rtsp|rtsps|rtmp|https?)://", spec, re.IGNORECASE):
        return CaptureSource(spec, **options)  # type: ignore[arg-type]
    if Path(spec).is_dir():
        return ImageFolderSource(spec, **options)  # type: ignore[arg-type]
    return CaptureSource(spec, **options)  # type: ignore[arg-type]


def _redact(target: str) -> str:
    # rtsp://user:password@host/... must not end up in logs or on screen.
    return re.sub(r"(://)[^/@]*@", r"\1***@", target)
