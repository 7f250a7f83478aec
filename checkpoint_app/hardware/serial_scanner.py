"""Serial (RS-232 or USB-CDC) 2D scanners: each scan is one line of text.

Most scanners end a scan with CR, LF or both (their "suffix" setting); any of these ends a
line here. The text goes to the core unchanged, which says whether it is a health code,
so noise becomes an "invalid code" on the screen rather than silence. Logs carry lengths
only: a payload identifies a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from checkpoint_app.hardware.serial_link import ErrorCallback, SerialLink

log = logging.getLogger("checkpoint.hardware.serial_scanner")

MAX_SCAN = 8192  # a QR holds at most 4,296 alphanumeric characters


class ScanLineParser:
    """Bytes in, complete scans out; an endless line is dropped rather than kept forever."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overflowed = False

    def feed(self, data: bytes) -> list[str]:
        self._buf += data
        *lines, rest = re.split(rb"\r\n|\r|\n", bytes(self._buf))
        self._buf = bytearray(rest)
        scans = []
        for raw in lines:
            if self._overflowed:
                self._overflowed = False  # the tail of the dropped line
                continue
            text = raw.decode("utf-8", errors="replace").strip()
            if text:
                scans.append(text)
        if len(self._buf) > MAX_SCAN:
            log.error("serial scanner sent %d bytes without a line end; dropped", len(self._buf))
            self._buf.clear()
            self._overflowed = True
        return scans


class SerialScanner:
    """`on_scan(text)` and `on_error(message)` run on the scanner's reader thread."""

    def __init__(self, port: str, on_scan: Callable[[str], None], on_error: ErrorCallback, *,
                 baudrate: int = 9600, reconnect_s: float = 2.0) -> None:
        self._on_scan = on_scan
        self._parser = ScanLineParser()
        self._link = SerialLink(port, baudrate, self._on_data, on_error, name="serial_scanner",
                                reconnect_s=reconnect_s)

    @property
    def connected(self) -> bool:
        return self._link.connected

    def start(self) -> None:
        self._link.start()

    def stop(self) -> None:
        self._link.stop()

    def _on_data(self, data: bytes) -> None:
        for text in self._parser.feed(data):
            log.info("serial scan of %d characters", len(text))
            self._on_scan(text)
