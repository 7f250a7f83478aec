"""Reopening a frame source that failed or disappeared, with backoff, without a restart."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from checkpoint_app.hardware.exposure import ExposureControl
    from checkpoint_app.hardware.sources import FrameSource

log = logging.getLogger("checkpoint.camera")

class ReconnectState(StrEnum):
    OPEN = "open"  # frames flow
    LOST = "lost"  # waiting for the next attempt
    RECONNECTING = "reconnecting"  # an attempt is under way


class ReconnectingSource:
    """Wraps a source; read() never raises and returns None while the source is away.

    Its `state` is a ReconnectState, reported to `on_state`. Each failed attempt doubles the wait up to max_backoff_s;
    the first good frame resets it. With blocking=True (a decode thread) read() sleeps
    until the next attempt is due instead of returning None at once, so a caller's loop
    cannot spin; the GUI timer uses blocking=False. clock and sleep are injectable so
    tests run the whole cycle without waiting."""

    def __init__(self, source: FrameSource, *, initial_backoff_s: float = 0.5, max_backoff_s: float = 10.0,
                 factor: float = 2.0, blocking: bool = True, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 on_state: Callable[[ReconnectState, str], None] | None = None) -> None:
        self.source = source
        self.initial_backoff_s, self.max_backoff_s, self.factor = initial_backoff_s, max_backoff_s, factor
        self.blocking = blocking
        self._clock, self._sleep, self._on_state = clock, sleep, on_state
        self.state = ReconnectState.LOST
        self.backoff_s = initial_backoff_s
        self.next_attempt = clock()
        self.failures = 0

    @property
    def fps(self) -> float | None:
        return self.source.fps

    def describe(self) -> str:
        return self.source.describe()

    def exposure_control(self) -> ExposureControl | None:
        """The wrapped source's manual exposure while it is open (hardware/exposure.py)."""
        control = getattr(self.source, "exposure_control", None)
        return control() if control is not None and self.state == ReconnectState.OPEN else None

    def open(self) -> bool:
        return self._attempt()

    def read(self) -> np.ndarray | None:
        if self.state != ReconnectState.OPEN:
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
        self._set(ReconnectState.LOST, "closed")

    def _attempt(self) -> bool:
        self._set(ReconnectState.RECONNECTING, f"opening {self.describe()}")
        try:
            ok = self.source.open()
        except Exception as exc:  # a driver can raise anything; a camera problem is not a crash
            log.warning("%s: open raised %r", self.describe(), exc)
            ok = False
        if ok:
            self._set(ReconnectState.OPEN, f"{self.describe()} open")
            return True
        self._lose("cannot open")
        return False

    def _lose(self, why: str) -> None:
        self.source.close()
        self.failures += 1
        self.next_attempt = self._clock() + self.backoff_s
        self._set(ReconnectState.LOST, f"{self.describe()}: {why}; retrying in {self.backoff_s:.1f} s")
        self.backoff_s = min(self.max_backoff_s, self.backoff_s * self.factor)

    def _set(self, state: ReconnectState, message: str) -> None:
        changed = state != self.state
        self.state = state
        if changed and state == ReconnectState.LOST:
            log.warning("%s", message)
        elif changed:
            log.info("%s", message)
        if changed and self._on_state is not None:
            self._on_state(state, message)
