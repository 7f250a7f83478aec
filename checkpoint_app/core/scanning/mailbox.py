"""A one-slot mailbox between the camera and the decoder: the latest frame wins (STYLE rule 4).

The camera side never waits: put() replaces a frame the decoder has not taken yet (and
counts it as dropped), so a slow frame costs one stale frame, never a growing queue and
never latency. The decoder sleeps in take() until a frame arrives; close() wakes it."""

from __future__ import annotations

import threading

import numpy as np


class LatestFrame:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._slot: tuple[np.ndarray, float] | None = None
        self._closed = False
        self.offered = 0
        self.dropped = 0

    def put(self, frame: np.ndarray, t: float) -> None:
        """Offer a frame taken at time t. The caller must not modify it afterwards (copy if
        the camera reuses its buffer): the decoder thread reads it without a lock."""
        with self._cond:
            self.offered += 1
            if self._slot is not None:
                self.dropped += 1
            self._slot = (frame, t)
            self._cond.notify()

    def take(self, timeout: float | None = None) -> tuple[np.ndarray, float] | None:
        """The newest frame, waiting up to timeout; None when closed or timed out."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._slot is not None or self._closed, timeout):
                return None
            item, self._slot = self._slot, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
