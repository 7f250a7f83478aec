"""A one-slot mailbox between the camera and its consumers: the newest item replaces an
unread one (STYLE rule 4).

The camera never waits for the decoder or the screen: a slow consumer just skips frames,
so the preview and the decoder always work on the newest picture and nothing queues up.
Qt-free, so the GUI's threads and the scanner benchmark share it."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self.offered = 0
        self.dropped = 0  # items replaced before anyone read them, for the benchmarks

    def put(self, item: T) -> bool:
        """Leave `item`, replacing an unread one. True when the slot was empty (the reader
        needs a nudge), False when it replaced an item the reader has not taken yet."""
        with self._cond:
            self.offered += 1
            was_empty = self._item is None
            if not was_empty:
                self.dropped += 1
            self._item = item
            self._cond.notify()
            return was_empty

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item, waiting up to `timeout` (None: until one arrives or close())."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout)
            item, self._item = self._item, None
            return item

    def take_nowait(self) -> T | None:
        with self._cond:
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
