"""Waiting for what another thread or process makes true (a file, a row, a log line), where
there is no signal to wait on: poll the condition until it holds, or fail naming it."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], timeout: float = 20.0, what: object = "the condition", *,
             pause: Callable[[float], None] = time.sleep, every: float = 0.02) -> None:
    """`what`: text, or a function giving it (evaluated only on a timeout); `pause`: how to spend
    the time between polls (tests/support/qt_loop.py passes one that runs the Qt event loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what() if callable(what) else what}")
        pause(every)
