"""The demo camera: a video of phone screens showing the demo codes, made at demo start
because codes expire after a day. MJPG .avi, which OpenCV reads everywhere."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode

from checkpoint_app.demo.people import demo_codes

log = logging.getLogger("checkpoint.demo")
W, H, FPS = 1280, 720, 30
EMPTY_S, SHOWN_S = 1.5, 4.0
ORDER = ("green", "yellow", "red-hospital", "red-turn-back", "green-whitelist", "expired", "forged")
_HEADER = {"green": (60, 160, 40), "green-whitelist": (60, 160, 40), "expired": (60, 160, 40),
           "forged": (60, 160, 40), "yellow": (0, 200, 245), "red-hospital": (40, 40, 200),
           "red-turn-back": (40, 40, 200)}  # BGR: the app's colour band above the code


@dataclass(frozen=True)
class DemoVideo:
    path: Path
    fps: int
    labels: tuple[str, ...]
    entries: tuple[int, ...]  # frame index at which each label's code enters the picture
    frames: int


def _qr(text: str, size: int) -> np.ndarray:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    qr.add_data(qrcode.util.QRData(text.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    modules = np.array(qr.get_matrix(), dtype=np.uint8)
    img = np.where(modules[..., None] > 0, 0, 255).astype(np.uint8).repeat(3, axis=2)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)


def _background() -> np.ndarray:
    ramp = np.linspace(70, 110, H, dtype=np.float32)[:, None, None]
    return np.broadcast_to(ramp * np.array([1.0, 0.95, 0.9], np.float32), (H, W, 3)).astype(np.uint8).copy()


def _phone(bg: np.ndarray, label: str, text: str) -> np.ndarray:
    frame = bg.copy()
    pw, ph = 380, 660
    x0, y0 = (W - pw) // 2, (H - ph) // 2
    cv2.rectangle(frame, (x0, y0), (x0 + pw, y0 + ph), (25, 25, 25), -1)
    cv2.rectangle(frame, (x0 + 14, y0 + 40), (x0 + pw - 14, y0 + ph - 40), (245, 245, 245), -1)
    cv2.rectangle(frame, (x0 + 14, y0 + 40), (x0 + pw - 14, y0 + 120), _HEADER[label], -1)
    cv2.putText(frame, label, (x0 + 30, y0 + 95), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA)
    size = pw - 60
    qy = y0 + 150
    frame[qy:qy + size, x0 + 30:x0 + 30 + size] = _qr(text, size)
    return frame


REUSE_S = 12 * 3600  # codes are issued for a day; a video younger than this still has half a day left


def _layout(path: Path, empty_s: float = EMPTY_S, shown_s: float = SHOWN_S) -> DemoVideo:
    empty, shown = round(empty_s * FPS), round(shown_s * FPS)
    entries = tuple(i * (empty + shown) + empty for i in range(len(ORDER)))
    return DemoVideo(path, FPS, ORDER, entries, len(ORDER) * (empty + shown))


def demo_video(folder: Path, now: int | None = None) -> DemoVideo:
    """A recent enough demo video from `folder`, or a new one (takes a few seconds: call
    it off the GUI thread)."""
    now = int(time.time()) if now is None else now
    for old in sorted(folder.glob("demo-*.avi"), reverse=True):
        made = old.stem.removeprefix("demo-")
        if made.isdigit() and 0 <= now - int(made) < REUSE_S:
            return _layout(old)
    return make_demo_video(folder, now)


def make_demo_video(folder: Path, now: int | None = None, *, empty_s: float = EMPTY_S,
                    shown_s: float = SHOWN_S) -> DemoVideo:
    now = int(time.time()) if now is None else now
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{now}.avi"
    # Written under another name and renamed when whole: a demo quit while this runs (it
    # takes seconds, in the camera thread, which the shutdown does not wait for) left a
    # truncated demo-<now>.avi that the next starts took as recent enough, for 12 h.
    partial = folder / f"demo-{now}.partial.avi"
    codes = {c.label: c.text for c in demo_codes(now)}
    bg = _background()
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (W, H))
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 80)
    try:
        for label in ORDER:
            for _ in range(round(empty_s * FPS)):
                writer.write(bg)
            phone = _phone(bg, label, codes[label])
            for _ in range(round(shown_s * FPS)):
                writer.write(phone)
    finally:
        writer.release()
    partial.replace(path)
    for old in folder.glob("demo-*.avi"):
        if old != path:
            old.unlink(missing_ok=True)
    video = _layout(path, empty_s, shown_s)
    log.info("demo video %s: %d frames", path, video.frames)
    return video
