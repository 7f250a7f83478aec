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
