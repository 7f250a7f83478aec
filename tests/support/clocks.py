"""The two clocks the tests hand to the code under test (anything called `clock()` for the
time in seconds)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class FakeClock:
    """Time that moves only when the test moves it, or when the code under test sleeps
    (`sleep`): a backoff runs in no time, and `sleeps` records what it asked for."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return float(self.now)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    @contextmanager
    def shifted(self, seconds: float) -> Iterator[None]:
        """Later by `seconds` for the block, then back."""
        self.now += seconds
        try:
            yield
        finally:
            self.now -= seconds


class ShiftedClock:
    """The real time plus `offset` seconds: for code that also runs real timers (Qt, a server
    in a thread) while a test skips ahead."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset
