"""Serial IR thermometers: a plain line protocol and LU90614-type forehead modules.

"line": the device sends one reading per line, in ASCII, e.g. `36.5\\r\\n`; a label and a
unit are tolerated (`T=36.5C`, `Body: 36.52 °C`). Any baud rate (default 9600).

"lu90614": the common UART forehead module (9600 8N1), which answers queries:
    command  FA C5 BF   body-temperature mode (sent once on connect)
    command  FA CA C4   measure and send one reading (sent every `poll_interval_s`)
    reply    FE MM HH LL r1 r2 r3 r4 CS     9 bytes
             MM: AC body mode, AA object ("material") mode
             HH: whole degrees Celsius, LL: hundredths (0-99), r1-r4 reserved
             CS: the low byte of the sum of the first 8 bytes
e.g. FE AC 24 32 00 00 00 00 00 is 36.50 °C in body mode. Commands end with the low byte
of FA + the command byte. A module polled all day sees empty air as well as foreheads, so
a reading counts once per person: the next one is taken after the readings have fallen
below `presence_min_c` again.

With either protocol a reading below `presence_min_c` (32 °C) is empty air or a wall, not
a forehead (devices that stream readings send those all day), and is not passed on.

Garbage (line noise, a wrong baud rate, a frame with a bad checksum) is dropped with a
logged error and the reader resynchronises on the next line or frame header; nothing it
sends can stop the reader or reach the temperature field.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

from checkpoint_app.hardware.errors import DeviceError, DeviceSettingError
from checkpoint_app.hardware.serial_link import ErrorCallback, SerialLink

log = logging.getLogger("checkpoint.hardware.thermometer")

PROTOCOLS = ("line", "lu90614")
PLAUSIBLE_C = (10.0, 50.0)  # outside this no thermometer aimed at a person is working
LU_BODY_MODE = bytes([0xFA, 0xC5, 0xBF])
LU_MEASURE = bytes([0xFA, 0xCA, 0xC4])
_LU_HEADER, _LU_BODY, _LU_OBJECT, _LU_FRAME = 0xFE, 0xAC, 0xAA, 9
_LINE = re.compile(r"^\s*(?:[A-Za-z ]+[:=]?\s*)?(-?\d{1,3}(?:\.\d{1,3})?)\s*(?:°\s*)?C?\s*$")
_MAX_LINE = 64


class ThermometerError(DeviceError):
    """One reading that could not be understood."""


def lu90614_frame(celsius: float, mode: int = _LU_BODY) -> bytes:
    """The module's reply for a reading (for the simulated device in tests and demos)."""
    hundredths = round(celsius * 100)
    body = bytes([_LU_HEADER, mode, hundredths // 100, hundredths % 100, 0, 0, 0, 0])
    return body + bytes([sum(body) & 0xFF])


class LineParser:
    """Bytes in, readings out; a line that is not a temperature raises in `errors`."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> tuple[list[float], list[str]]:
        readings: list[float] = []
        errors: list[str] = []
        self._buf += data
        *lines, rest = re.split(rb"\r\n|\r|\n", bytes(self._buf))
        self._buf = bytearray(rest)
        if len(self._buf) > _MAX_LINE:
            errors.append(f"no line end after {len(self._buf)} bytes: {bytes(self._buf[:16])!r}...")
            self._buf.clear()
        for raw in lines:
            if raw.strip():
                try:
                    readings.append(parse_line(raw))
                except ThermometerError as exc:
                    errors.append(str(exc))
        return readings, errors


def parse_line(raw: bytes) -> float:
    text = raw.decode("utf-8", errors="replace")
    match = _LINE.match(text)
    if match is None:
        raise ThermometerError(f"not a temperature line: {raw[:32]!r}")
    return _plausible(float(match.group(1)))


class Lu90614Parser:
    """Finds 9-byte frames in the stream; resynchronises on the FE header after garbage."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> tuple[list[float], list[str]]:
        readings: list[float] = []
        errors: list[str] = []
        self._buf += data
        while self._buf:
            start = self._buf.find(_LU_HEADER)
            if start != 0:
                dropped = len(self._buf) if start < 0 else start
                errors.append(f"dropped {dropped} bytes that are not an LU90614 frame: {bytes(self._buf[:9]).hex(' ')}")
                del self._buf[:dropped]
                continue
            if len(self._buf) < _LU_FRAME:
                break
            frame = bytes(self._buf[:_LU_FRAME])
            try:
                readings.append(parse_lu90614(frame))
                del self._buf[:_LU_FRAME]
            except ThermometerError as exc:
                errors.append(str(exc))
                del self._buf[:1]  # this FE was data, not a header: look for the next
        return readings, errors


def parse_lu90614(frame: bytes) -> float:
    if len(frame) != _LU_FRAME or frame[0] != _LU_HEADER:
        raise ThermometerError(f"not an LU90614 frame: {frame.hex(' ')}")
    if sum(frame[:8]) & 0xFF != frame[8]:
        raise ThermometerError(f"LU90614 frame with a bad checksum: {frame.hex(' ')}")
    if frame[1] not in (_LU_BODY, _LU_OBJECT) or frame[3] > 99:
        raise ThermometerError(f"LU90614 frame out of range: {frame.hex(' ')}")
    if frame[1] == _LU_OBJECT:
        raise ThermometerError("LU90614 module is in object mode, not body mode; ignoring its reading")
    return _plausible(frame[2] + frame[3] / 100)


def _plausible(value: float) -> float:
    if not PLAUSIBLE_C[0] <= value <= PLAUSIBLE_C[1]:
        raise ThermometerError(f"implausible reading {value:.2f} °C")
    return round(value, 2)


class Thermometer:
    """A serial thermometer. `on_reading(celsius)` and `on_error(message)` run on its thread."""

    def __init__(self, port: str, protocol: str, on_reading: Callable[[float], None], on_error: ErrorCallback, *,
                 baudrate: int = 9600, poll_interval_s: float = 0.5, presence_min_c: float = 32.0,
                 reconnect_s: float = 2.0) -> None:
        if protocol not in PROTOCOLS:
            raise DeviceSettingError(f"thermometer protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        self.protocol = protocol
        self._on_reading = on_reading
        self._on_error = on_error
        self._parser = Lu90614Parser() if protocol == "lu90614" else LineParser()
        self._poll_interval_s = poll_interval_s
        self._presence_min_c = presence_min_c
        self._present = False
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        connected = self._select_body_mode if protocol == "lu90614" else None
        self._link = SerialLink(port, baudrate, self._on_data, on_error, name="thermometer",
                                reconnect_s=reconnect_s, on_connected=connected)

    @property
    def connected(self) -> bool:
        return self._link.connected

    def start(self) -> None:
        self._stop.clear()
        self._link.start()
        if self.protocol == "lu90614" and self._poll_interval_s > 0:
            self._poller = threading.Thread(target=self._poll, name="thermometer-poll", daemon=True)
            self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(2.0)
            self._poller = None
        self._link.stop()

    def measure(self) -> None:
        """Ask an LU90614 module for one reading now (a "measure" button); no-op for line devices."""
        if self.protocol == "lu90614" and self._link.connected:
            try:
                self._link.write(LU_MEASURE)
            except OSError as exc:  # the reader notices the lost port and reports it
                log.warning("thermometer query not sent: %s", exc)

    def _select_body_mode(self) -> None:
        self._link.write(LU_BODY_MODE)

    def _poll(self) -> None:
        while not self._stop.wait(self._poll_interval_s):
            self.measure()

    def _on_data(self, data: bytes) -> None:
        readings, errors = self._parser.feed(data)
        for message in errors:
            log.error("thermometer: %s", message)
            self._on_error(message)
        for celsius in readings:
            self._accept(celsius)

    def _accept(self, celsius: float) -> None:
        if celsius < self._presence_min_c:
            self._present = False
            log.debug("thermometer sees no forehead (%.2f °C)", celsius)  # a streaming device, empty air
            return
        if self.protocol == "lu90614":
            # polled all day: a forehead counts once, not the same person again at every poll
            was_present, self._present = self._present, True
            if was_present:
                return
        log.debug("thermometer reading %.2f °C", celsius)  # health data: debug only
        self._on_reading(celsius)
