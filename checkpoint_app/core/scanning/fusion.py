"""Recover a code that no single frame shows readably, from the last few frames.

Sensor noise in a dark room is independent from frame to frame, so the mean of a few
aligned frames has less of it; a highlight or a thumb that moves while the phone stays
put covers different modules in each frame, so the per-pixel median (and for additive
glare the minimum) shows the code without it. Frames are aligned by phase correlation
on a quarter-size copy, which handles the translation a shaking hand causes."""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray

Corners = tuple[tuple[float, float], ...]
# the newest frame's agreement with the others' mean, as a share of the older frames' own:
# 0.95-1.05 for the same dark code at noise sigma 16-44 (still or shaken), 0.16 for another
# code at the same spot (tests/unit/test_scan_temporal)
AGREEMENT = 0.5
# what the newest frame alone has (its difference from the others' mean), as a multiple of
# what each older frame alone has: 0.94-1.15 for the same dark code, still or shaken; 3.6
# for another code at the same spot, 13 when the frames also share their noise pattern, where
# the agreement above was 0.53 and passed (tests/unit/test_scan_temporal)
RESIDUE = 2.0


class _Frame:
    """A pushed frame; its quarter-size copy for alignment is made only when fusion runs
    (most frames are read by the first pass and never fused)."""

    __slots__ = ("_small", "gray", "t")

    def __init__(self, t: float, gray: Gray) -> None:
        self.t, self.gray = t, gray
        self._small: Gray | None = None

    def small(self) -> Gray:
        if self._small is None:
            h, w = self.gray.shape[:2]
            self._small = cv2.resize(self.gray, (w // 4, h // 4), interpolation=cv2.INTER_AREA).astype(np.float32)
        return self._small


class FrameHistory:
    def __init__(self, depth: int = 5, max_age_s: float = 0.6) -> None:
        self.depth = depth
        self.max_age_s = max_age_s
        self._frames: deque[_Frame] = deque(maxlen=depth)

    def push(self, gray: Gray, t: float) -> None:
        if self._frames and (self._frames[-1].gray.shape != gray.shape or t < self._frames[-1].t):
            self._frames.clear()  # resolution change or clock reset: old frames mean nothing
        self._frames.append(_Frame(t, gray.copy()))

    def clear(self) -> None:
        self._frames.clear()

    def keep_newest(self) -> None:
        """Forget all but the newest frame (the scene changed with it)."""
        while len(self._frames) > 1:
            self._frames.popleft()

    def aligned(self, t: float) -> list[Gray] | None:
        """The recent frames shifted onto the newest one, or None if too few or too different."""
        recent = [f for f in self._frames if t - f.t <= self.max_age_s]
        if len(recent) < 3:
            return None
        ref = recent[-1]
        out = [ref.gray]
        for f in recent[:-1]:
            (dx, dy), response = cv2.phaseCorrelate(ref.small(), f.small())
            if response < 0.2:
                continue  # the scene changed (the phone moved away): not the same picture
            shift = np.array([[1, 0, -4 * dx], [0, 1, -4 * dy]], np.float32)
            h, w = f.gray.shape[:2]
            out.append(cv2.warpAffine(f.gray, shift, (w, h), borderMode=cv2.BORDER_REPLICATE))
        return out if len(out) >= 3 else None


def shown_in_newest(frames: list[Gray], corners: Corners) -> bool:
    """Whether the newest frame (frames[0]) shows the code read from their combination at
    `corners` as the older ones do. Two phones shown in turn at one spot, or a screen that
    changed its code, align as one picture: their mean reads the code the older frames
    showed, and the newest frame must not be reported holding it. Each frame's pixels in the
    code are correlated with the mean of the others: the newest must agree about as well as
    the older ones (noise lowers them all alike; a different code leaves it near zero)."""
    if len(frames) < 3:
        return False
    quad = np.round(np.array(corners, np.float32)).astype(np.int32)
    h, w = frames[0].shape[:2]
    x0, y0 = np.clip(quad.min(axis=0) - 3, 0, None)
    x1, y1 = np.minimum(quad.max(axis=0) + 4, (w, h))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return False
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, quad - (x0, y0), 1)
    inside = mask > 0
    pixels = [cv2.GaussianBlur(f[y0:y1, x0:x1].astype(np.float32), (0, 0), 1.0)[inside] for f in frames]
    total = np.sum(pixels, axis=0)
    others = [(total - p) / (len(pixels) - 1) for p in pixels]
    agree = [_correlation(p, o) for p, o in zip(pixels, others, strict=True)]
    # what the newest frame has that the others have not, against what each older one has:
    # noise alike in every frame; a changed code is far more (and unlike the correlation it
    # is not fooled by what the frames share: the same finders, the same fixed-pattern noise)
    residue = [float(np.mean((p - o) ** 2)) for p, o in zip(pixels, others, strict=True)]
    return agree[0] >= AGREEMENT * float(np.median(agree[1:])) and residue[0] <= RESIDUE * float(np.median(residue[1:]))


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b)) / norm if norm > 0 else 0.0


def mean_of(frames: list[Gray]) -> Gray:
    acc = np.zeros(frames[0].shape, np.float32)
    for f in frames:
        cv2.accumulate(f, acc)
    return cv2.convertScaleAbs(acc, alpha=1.0 / len(frames))


def min_of(frames: list[Gray]) -> Gray:
    out = frames[0]
    for f in frames[1:]:
        out = cv2.min(out, f)
    return out
