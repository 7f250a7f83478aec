"""Frame transforms that turn an unreadable code into a readable one.

Each one answers a weakness measured on bench/scan (see docs/benchmarks.md): upscaling
with sharpening for codes under ~2.5 pixels per module and for blur, contrast
normalisation for dim screens and low light, flat-fielding for glare, smoothing for
moiré and JPEG blocks."""

from __future__ import annotations

import cv2
import numpy as np

from checkpoint_app.core.scanning.lanczos import upscale3

Gray = np.ndarray


def to_gray(frame: np.ndarray) -> Gray | None:
    """8-bit gray from what a camera or a file may hand over: gray, BGR, BGRA, one channel
    (H x W x 1, a mono camera), two (YUYV with OpenCV's RGB conversion off: Y first), 16-bit,
    float or bool pixels. None for what is no picture (not two dimensions of pixels, other
    channel counts): a frame that raised here was lost with an error, every frame."""
    a = np.asarray(frame)
    while a.ndim > 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 3 and a.shape[2] in (1, 2):
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))) or a.size == 0 or a.dtype.kind not in "biuf":
        return None
    a = _eight_bit(a)
    if a.ndim == 2:
        return np.ascontiguousarray(a)
    return cv2.cvtColor(a, cv2.COLOR_BGRA2GRAY if a.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def _eight_bit(a: np.ndarray) -> np.ndarray:
    """uint8 pixels: floats in [0, 1] scaled by 255, wider ranges (10-16 bit sensors) by their
    top (the 99.9th percentile: one hot or dead pixel at the type's maximum must not blacken
    the rest)."""
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.bool_:
        return a.astype(np.uint8) * 255
    f = np.nan_to_num(a.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(np.percentile(f[::4, ::4], 99.9))
    if a.dtype.kind == "f" and top <= 1.0:
        f *= 255.0
    elif top > 255.0:
        f *= 255.0 / top
    return np.clip(f, 0, 255).astype(np.uint8)


def upscale(gray: Gray, factor: float = 2.0) -> Gray:
    # Cubic keeps module edges steeper than linear, which is what the binarizer needs.
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def sharpen(gray: Gray, sigma: float = 2.0, amount: float = 1.0) -> Gray:
    """Unsharp mask: a cheap partial inverse of blur that does not need the blur's kernel."""
    return cv2.addWeighted(gray, 1 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def upsharp(gray: Gray) -> Gray:
    return _sharpened(upscale(gray), gray, 2.0)


def upsharp3(gray: Gray) -> Gray:
    """For codes under ~1.5 px per module: Lanczos keeps more of what little detail is there."""
    return _sharpened(upscale3(gray), gray, 3.0)


def _sharpened(up: Gray, gray: Gray, sigma: float) -> Gray:
    """Unsharp mask of the upscaled `up` whose blurred copy (sigma in upscaled pixels) is
    made at the original size and then upscaled: it is smooth, so nothing is lost, and the
    blur costs a ninth (3x) of what it costs on the large image (bench/scan: the same reads)."""
    factor = up.shape[1] / gray.shape[1]
    small = cv2.GaussianBlur(gray, (0, 0), sigma / factor)
    blur = cv2.resize(small, (up.shape[1], up.shape[0]), interpolation=cv2.INTER_CUBIC)
    return cv2.addWeighted(up, 2.0, blur, -1.0, 0)


def clahe(gray: Gray) -> Gray:
    # one object per call (under a microsecond): a CLAHE object keeps state while it works,
    # and one shared by two decoding threads returned wrong pixels or raised
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def stretch(gray: Gray) -> Gray:
    """Stretch the 1st..99th percentile to full range: a dim screen in the dark."""
    lo, hi = np.percentile(gray[::4, ::4], (1, 99))
    if hi - lo < 4:
        return gray
    return cv2.convertScaleAbs(gray, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def denoise(gray: Gray) -> Gray:
    """Smooth sensor noise (a dark room) and moiré, then restore the range the dark took."""
    return stretch(cv2.GaussianBlur(gray, (0, 0), 1.5))


def flatten(gray: Gray) -> Gray:
    """Divide by a local white level so a glare gradient becomes flat; saturated cores stay lost."""
    k = max(15, (min(gray.shape[:2]) // 24) | 1)
    white = cv2.blur(cv2.dilate(gray, np.ones((k, k), np.uint8)), (2 * k + 1, 2 * k + 1))
    return cv2.divide(gray, np.maximum(white, 1), scale=220)


def crop(gray: Gray, corners: tuple[tuple[float, float], ...], margin: float = 0.35) -> tuple[Gray, tuple[int, int]]:
    """Axis-aligned crop around a quadrilateral, grown by `margin` of its size; returns the offset."""
    pts = np.array(corners, np.float32)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    grow = margin * max(x1 - x0, y1 - y0, 16)
    h, w = gray.shape[:2]
    xa, ya = int(max(0, x0 - grow)), int(max(0, y0 - grow))
    xb, yb = int(min(w, x1 + grow)), int(min(h, y1 + grow))
    return gray[ya:yb, xa:xb], (xa, ya)
