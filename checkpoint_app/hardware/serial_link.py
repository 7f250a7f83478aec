"""One serial device on one reader thread, reconnecting when the port goes away.

USB-serial adapters vanish (a kicked cable, a hub reset) and come back under the same
name; an entrance PC must pick the device up again without a restart. The link reads
with a short timeout so that `stop()` returns promptly, hands every chunk to `on_data`
on its own thread, and reports each failure once through `on_error` (and the log) before
retrying every `reconnect_s`, or, with `max_reconnect_s`, after a wait that doubles with
each failed attempt up to that bound (a device that stays away is not opened 30 times a
minute all night) and starts again from `reconnect_s` once the port opens.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

import serial

if sys.platform != "win32":
    from termios import error as TermiosError  # tcdrain on a port that went away; not an OSError
else:
    TermiosError = OSError

ReadCallback = Callable[[bytes], None]
ErrorCallback = Callable[[str], None]
_READ_TIMEOUT_S = 0.1


class SerialLink:
    """start() opens the port on a daemon thread; write() may be called from any thread."""

    def __init__(self, port: str, baudrate: int, on_data: ReadCallback, on_error: ErrorCallback, *,
                 name: str, reconnect_s: float = 2.0, max_reconnect_s: float | None = None,
                 on_connected: Callable[[], None] | None = None) -> None:
        self.port = port
        self.baudrate = baudrate
        self._on_data = on_data
        self._on_error = on_error
        self._on_connected = on_connected
        self._name = name
        self._reconnect_s = reconnect_s
        self._max_reconnect_s = max(reconnect_s, max_reconnect_s or reconnect_s)
        self.retry_in_s = reconnect_s  # the wait after the next failed attempt
        self._log = logging.getLogger(f"checkpoint.hardware.{name}")
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards _serial between the reader and writers
        self._serial: Any = None
        self._thread: threading.Thread | None = None
        self._failing = False  # report a lasting failure once, not every retry

    @property
    def connected(self) -> bool:
        return self._serial is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-{self._name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._log.error("%s reader did not stop within %.1f s", self._name, timeout)
            self._thread = None
        self._close()

    def write(self, data: bytes) -> None:
        """Send bytes now; raises serial.SerialException (an OSError) if the port is not there."""
        with self._lock:
            if self._serial is None:
                raise serial.SerialException(f"{self._name} port {self.port} is not connected")
            try:
                self._serial.write(data)
                self._serial.flush()
            except TermiosError as exc:
                raise serial.SerialException(f"{self._name} port {self.port} lost: {exc}") from exc

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._serial is None and not self._open():
                self._stop.wait(self.retry_in_s)
                self.retry_in_s = min(self._max_reconnect_s, self.retry_in_s * 2)
                continue
            try:
                chunk = self._serial.read(max(1, self._serial.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial's own race when the port closes under a read
                self._fail(f"{self._name} port {self.port} lost: {exc}")
                self._close()
                continue
            if chunk:
                self._deliver(chunk)

    def _deliver(self, chunk: bytes) -> None:
        try:
            self._on_data(chunk)
        except Exception:  # a parser bug must not kill the reader thread of a 24/7 device
            self._log.exception("%s: handling %d bytes failed", self._name, len(chunk))

    def _open(self) -> bool:
        try:
            port = serial.Serial(self.port, self.baudrate, timeout=_READ_TIMEOUT_S, write_timeout=1.0)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._fail(f"cannot open {self._name} port {self.port}: {exc}")
            return False
        with self._lock:
            self._serial = port
        self.retry_in_s = self._reconnect_s
        if self._failing:
            self._log.info("%s port %s is back", self._name, self.port)
        else:
            self._log.info("%s port %s open at %d baud", self._name, self.port, self.baudrate)
        self._failing = False
        if self._on_connected is not None:
            try:
                self._on_connected()
            except (serial.SerialException, OSError) as exc:
                self._fail(f"{self._name} port {self.port} refused the start command: {exc}")
        return True

    def _close(self) -> None:
        with self._lock:
            port, self._serial = self._serial, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # it vanished: nothing to release
                port.close()

    def _fail(self, message: str) -> None:
        if self._failing:
            return
        self._failing = True
        self._log.error("%s", message)
        self._on_error(message)
