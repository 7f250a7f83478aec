"""Upscaling by exactly 3 with the Lanczos-4 kernel, as separable polyphase filters.

cv2.resize(INTER_LANCZOS4) gives the same image (within one or two grey levels on camera
frames) but costs about four times as much: 7.5 ms for a 640x480 frame against 1.9 ms here
on one core. Each
output pixel 3j + p samples the input at j + (p - 1) / 3, so there are three fixed 8-tap
kernels per axis; each is applied to the whole image once (filter2D, vectorised) and the
results are interleaved."""

from __future__ import annotations

import cv2
import numpy as np

Gray = np.ndarray

A = 4  # Lanczos window: taps at floor - 3 .. floor + 4
PAD = A


def _kernel(offset: float) -> np.ndarray:
    xs = np.arange(-A + 1, A + 1) - offset
    w = np.sinc(xs) * np.sinc(xs / A)
    out: np.ndarray = (w / w.sum()).astype(np.float32)
    return out


def _phases() -> list[tuple[int, np.ndarray]]:
    """(floor of the sample position, kernel) for output phases p = 0, 1, 2."""
    out = []
    for p in range(3):
        x = (p - 1) / 3.0
        fl = int(np.floor(x))
        out.append((fl, _kernel(x - fl)))
    return out


PHASES = _phases()


def upscale3(gray: Gray) -> Gray:
    """gray three times larger in each direction, pixel centres and borders as cv2.resize
    has them. The row pass is rounded and clipped to 0..255 before the column pass (cv2
    clips only at the end): it differs where a row's overshoot clips, by one or two grey
    levels on camera frames, and keeping the overshoot (float rows) would cost twice as much."""
    h, w = gray.shape[:2]
    src = cv2.copyMakeBorder(gray, PAD, PAD, PAD, PAD, cv2.BORDER_REPLICATE)
    rows = np.empty((h + 2 * PAD, 3 * w), gray.dtype)
    for p, (fl, k) in enumerate(PHASES):
        out = cv2.filter2D(src, -1, k.reshape(1, -1), anchor=(A - 1, 0), borderType=cv2.BORDER_CONSTANT)
        rows[:, p::3] = out[:, PAD + fl:PAD + fl + w]
    full = np.empty((3 * h, 3 * w), gray.dtype)
    for p, (fl, k) in enumerate(PHASES):
        out = cv2.filter2D(rows, -1, k.reshape(-1, 1), anchor=(0, A - 1), borderType=cv2.BORDER_CONSTANT)
        full[p::3, :] = out[PAD + fl:PAD + fl + h, :]
    return full
