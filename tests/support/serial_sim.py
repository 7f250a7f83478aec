"""Serial devices for tests: a real pseudo-terminal, the test holding the device's end.

The code under test opens `path` (the pty's slave, or a symlink to it that can vanish and
come back like a USB adapter) with pyserial exactly as it would open /dev/ttyUSB0."""

from __future__ import annotations

import os
import select
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.hardware.thermometer import LU_BODY_MODE, LU_MEASURE, lu90614_frame


class PtyDevice:
    def __init__(self, link: Path | None = None) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.tty = os.ttyname(self._slave)
        # pyserial opens the slave again by name; holding it open here too keeps the master
        # from reading EIO (hang-up) while the code under test has not opened it yet
        self.link = link
        if link is not None:
            link.unlink(missing_ok=True)
            link.symlink_to(self.tty)
        self.path = str(link or self.tty)
        self.closed = False

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def receive(self, n: int, timeout: float = 3.0) -> bytes:
        """Exactly n bytes that the code under test wrote, or fail after `timeout`."""
        got = b""
        while len(got) < n:
            ready, _, _ = select.select([self.master], [], [], timeout)
            assert ready, f"device received only {got!r}, wanted {n} bytes"
            got += os.read(self.master, n - len(got))
        return got

    def unplug(self) -> None:
        """The adapter goes away: the device end closes and the name disappears."""
        if not self.closed:
            self.closed = True
            os.close(self.master)
            os.close(self._slave)
        if self.link is not None:
            self.link.unlink(missing_ok=True)


class Lu90614Device(PtyDevice):
    """An LU90614 forehead module: answers each measure command with a frame of `celsius`."""

    def __init__(self, link: Path | None = None, celsius: float = 25.0) -> None:
        super().__init__(link)
        self.celsius = celsius
        self.body_mode = False
        self.queries = 0
        self.queried = threading.Condition()
        self.serving = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        # Stop serving before the fds close: a thread still reading a closed fd number could
        # read the next test's pty that reuses it and keep that one from ever hanging up.
        self.serving = False
        self._thread.join(2.0)
        super().unplug()

    def wait_queries(self, count: int, timeout: float = 5.0) -> None:
        with self.queried:
            assert self.queried.wait_for(lambda: self.queries >= count, timeout), "module was not queried"

    def _serve(self) -> None:
        buf = b""
        while self.serving:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                buf += os.read(self.master, 64)
            except OSError:
                return
            while len(buf) >= 3:
                command, buf = buf[:3], buf[3:]
                if command == LU_BODY_MODE:
                    self.body_mode = True
                elif command == LU_MEASURE:
                    self.send(lu90614_frame(self.celsius, 0xAC if self.body_mode else 0xAA))
                    with self.queried:
                        self.queries += 1
                        self.queried.notify_all()


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A bare pseudo-terminal: the device's end (a file descriptor) and the path the code under test opens."""
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)
