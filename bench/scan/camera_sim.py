"""A webcam with its own auto exposure, looking at a phone screen of known radiance.

The scene is linear radiance (1.0 fills a pixel's well in one unit of exposure): the room,
lit dimly or by the sun, and a phone whose screen emits its own light, bright or dim, with
the room reflected in its glass. The camera integrates radiance x exposure, blooms where
a pixel overflows (the charge and the lens's stray light spread into the black modules
next to a white one), adds shot and read noise, clips, encodes with gamma 2.2 and MJPG.
Its auto exposure steers the frame's centre-weighted mean toward mid-grey, a step per
frame, as webcams do; on request it holds a manual exposure instead (the frame-source side
of core/scanning/exposure.py, like hardware/exposure.py for a UVC camera).

    SimulatedCamera(scene).read() -> the next BGR frame, as a FrameSource does"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import cv2
import numpy as np

from bench.scan import degrade as dg
from bench.scan.scene import background, pose_homography, qr_modules, render_phone

FPS = 15.0
MID_GREY = 0.18  # linear target of the auto exposure (about 118 after gamma)
SHOT = 0.002  # shot-noise variance per unit of signal (a well of 500 electrons)
READ = 0.004  # read noise, fraction of full scale


@dataclass(frozen=True)
class Scene:
    """What the camera sees at each frame: linear radiance per pixel (float32, gray)."""

    frames: list[np.ndarray]
    first: int  # first frame with the whole code in view
    text: str


def screen_scene(kind: str, index: int, frames: int = 60, size: tuple[int, int] = (1280, 720),
                 code: bool = True) -> Scene:
    """'bright': a phone at full brightness in a dim entrance; 'dim': a dimmed phone in sunlight.
    code=False: the phone shows a screen without a code (text, squares, a checkerboard)."""
    from bench.scan.generate import PAYLOADS

    rng = np.random.default_rng(zlib.crc32(f"exposure/{kind}/{index}".encode()))
    w, h = size
    text = PAYLOADS[index % len(PAYLOADS)]
    m = float(rng.uniform(3.2, 4.5))
    px = max(2, round(m * 1.6))
    scr = render_phone(qr_modules(text) if code else None, px, rng)
    room = _linear(background(h, w, rng))
    # Radiance: the room in units where the auto exposure starts near 1; the screen relative to it.
    if kind == "bright":  # health-code apps turn the screen to full brightness
        room_level, screen_level, glass = 0.25, float(rng.uniform(6.0, 14.0)), 0.01
    else:  # the glass reflects a few percent of the sunlit scene over the screen's own light
        room_level, screen_level, glass = 4.0, float(rng.uniform(0.05, 0.15)), float(rng.uniform(0.04, 0.06))
    # the lens's low-pass before the screen is sampled (as scene.place does for the phone scenes)
    emitted = cv2.GaussianBlur(_linear(scr.image), (0, 0), 0.45 * px / m) * screen_level
    qc = scr.qr_quad.mean(axis=0)
    ph, pw = scr.image.shape[:2]
    shift = np.array([[1, 0, pw / 2 - qc[0]], [0, 1, ph / 2 - qc[1]], [0, 0, 1]])
    roll, tilt, axis = rng.uniform(-10, 10), rng.uniform(5, 20), rng.uniform(0, 180)
    out, first = [], -1
    for f in range(frames):
        enter = min(1.0, f / 8.0)
        cx, cy = w * (1.3 - 0.8 * enter) + rng.normal(0, 2), h * 0.5 + rng.normal(0, 2)
        hom = pose_homography(pw, ph, (cx, cy), m / px, roll, tilt, axis) @ shift
        screen = cv2.warpPerspective(emitted, hom, (w, h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones_like(emitted), hom, (w, h), flags=cv2.INTER_LINEAR)
        quad = cv2.perspectiveTransform(scr.qr_quad.reshape(-1, 1, 2), hom).reshape(-1, 2)
        if first < 0 and quad[:, 0].max() < w - 2:
            first = f
        out.append((room * room_level * (1 - mask) + screen + glass * room_level * mask).astype(np.float32))
    return Scene(out, first, text if code else "")


def _linear(img: np.ndarray) -> np.ndarray:
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    out: np.ndarray = (gray.astype(np.float32) / 255.0) ** 2.2
    return out


class SimulatedCamera:
    """A FrameSource with exposure control over a Scene (see the module docstring)."""

    def __init__(self, scene: Scene, *, seed: int = 0, ae_rate: float = 0.35, latency: int = 1) -> None:
        self.scene, self.fps = scene, FPS
        self.ae_rate, self.latency = ae_rate, latency
        self._rng = np.random.default_rng(seed)
        self._index = 0
        self.exposure = 1.0  # the auto exposure's starting point, in scene units
        self._manual_base: float | None = None
        self._pending: list[tuple[int, float | None]] = []  # (frame it takes effect, manual stops or None)
        self.manual_stops: float | None = None

    def describe(self) -> str:
        return "simulated camera"

    def open(self) -> bool:
        self._index = 0
        return True

    def close(self) -> None:
        pass

    # the exposure-control side (hardware.exposure.ExposureControl), as CaptureSource offers it
    def exposure_control(self) -> SimulatedCamera:
        return self

    def manual(self, stops: float) -> bool:
        self._pending.append((self._index + self.latency, stops))
        return True

    def auto(self) -> bool:
        self._pending.append((self._index + self.latency, None))
        return True

    def read(self) -> np.ndarray | None:
        if self._index >= len(self.scene.frames):
            return None
        self._apply_pending()
        radiance = self.scene.frames[self._index]
        frame = self._expose(radiance, self.exposure)
        if self.manual_stops is None:
            self._auto_exposure(radiance)
        self._index += 1
        return frame

    def _apply_pending(self) -> None:
        due = [p for p in self._pending if p[0] <= self._index]
        self._pending = [p for p in self._pending if p[0] > self._index]
        for _, stops in due:
            if stops is None:
                self.manual_stops, self._manual_base = None, None
            else:
                if self._manual_base is None:
                    self._manual_base = self.exposure
                self.manual_stops = stops
                self.exposure = self._manual_base * 2.0**stops

    def _auto_exposure(self, radiance: np.ndarray) -> None:
        small = radiance[::8, ::8]
        h, w = small.shape
        yy, xx = np.mgrid[0:h, 0:w]
        weight = np.exp(-(((xx - w / 2) / (0.45 * w)) ** 2 + ((yy - h / 2) / (0.45 * h)) ** 2))
        mean = float((np.minimum(small * self.exposure, 1.0) * weight).sum() / weight.sum())
        ratio = MID_GREY / max(mean, 1e-6)
        self.exposure *= float(np.clip(ratio, 0.25, 4.0)) ** self.ae_rate

    def _expose(self, radiance: np.ndarray, exposure: float) -> np.ndarray:
        signal = radiance * exposure
        # stray light and charge overflow: a little of everything, much of what overflows
        over = np.maximum(signal - 1.0, 0.0)
        signal = signal + 0.03 * cv2.GaussianBlur(signal, (0, 0), 12) + 0.25 * cv2.GaussianBlur(over, (0, 0), 2.5)
        signal = cv2.GaussianBlur(signal, (0, 0), 0.7)
        sigma = np.sqrt(np.maximum(signal, 0) * SHOT + READ**2)  # shot noise grows with the light
        noisy = signal + self._rng.normal(0, 1, signal.shape).astype(np.float32) * sigma
        encoded = np.clip(noisy, 0.0, 1.0) ** (1 / 2.2) * 255.0
        frame = cv2.cvtColor(encoded.astype(np.uint8), cv2.COLOR_GRAY2BGR)
        return dg.jpeg(frame, 80)
