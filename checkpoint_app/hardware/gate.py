"""The gate or turnstile output, pulsed on an allowed decision: a serial relay or an HTTP call.

Both are blocking and run on the gate worker's thread (workers/hardware_workers.py), never
on the GUI thread. A failure raises GateError with a sentence for the log and the guard
("open the gate by hand"); the decision itself was recorded before the gate was asked,
so a dead relay loses nothing.

Serial relay commands (`gate_serial_command`) are written as either
    hex:A0 01 01 A2        raw bytes (the common LCUS-type USB relay boards), or
    OPEN\\r\\n              text with \\r, \\n, \\t and \\xNN escapes.
A board that latches (stays closed until told) gets a `release` command sent `pulse_s` later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from typing import Any, Protocol

import requests
import serial

from checkpoint_app.hardware.errors import DeviceError, DeviceSettingError

log = logging.getLogger("checkpoint.hardware.gate")

KINDS = ("none", "serial", "http")


class GateError(DeviceError):
    """The gate could not be opened; the message says why, in one line."""


class Gate(Protocol):
    def open_gate(self) -> None: ...

    def close(self) -> None: ...


def parse_command(text: str) -> bytes:
    if text.startswith("hex:"):
        try:
            return bytes.fromhex(text[4:])
        except ValueError:
            raise DeviceSettingError(f"gate command {text!r} is not hex bytes (e.g. hex:A0 01 01 A2)") from None
    try:
        return text.encode("ascii").decode("unicode_escape").encode("latin-1")
    except (UnicodeError, ValueError):
        raise DeviceSettingError(f"gate command {text!r} is not ASCII text with \\r \\n \\xNN escapes") from None


class SerialRelayGate:
    """Keeps the relay port open between pulses; reopens it after it vanished."""

    def __init__(self, port: str, command: bytes, *, release: bytes | None = None, pulse_s: float = 0.5,
                 baudrate: int = 9600) -> None:
        if not command:
            raise DeviceSettingError("the gate relay needs a command to send")
        self.port = port
        self._command = command
        self._release = release
        self._pulse_s = pulse_s
        self._baudrate = baudrate
        self._serial: Any = None
        self._waiter = threading.Event()  # never set: an interruptible pause for the pulse

    def open_gate(self) -> None:
        try:
            if self._serial is None:
                self._serial = serial.Serial(self.port, self._baudrate, timeout=1.0, write_timeout=1.0)
            self._write(self._command)
            if self._release is not None:
                self._waiter.wait(self._pulse_s)
                self._write(self._release)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise GateError(f"gate relay on {self.port} failed: {exc}") from exc
        log.info("gate opened (serial relay %s)", self.port)

    def _write(self, data: bytes) -> None:
        self._serial.write(data)
        self._serial.flush()

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # the port is already gone
                port.close()


class HttpGate:
    """POSTs {"command": "open"} to the controller; any 2xx answer means opened."""

    def __init__(self, url: str, *, timeout_s: float = 2.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise DeviceSettingError(f"gate URL {url!r} must start with http:// or https://")
        self.url = url
        self._timeout_s = timeout_s
        self._session = requests.Session()

    def open_gate(self) -> None:
        try:
            reply = self._session.post(self.url, data=json.dumps({"command": "open"}),
                                       headers={"Content-Type": "application/json"}, timeout=self._timeout_s)
        except requests.Timeout:
            raise GateError(f"gate controller {self.url} did not answer within {self._timeout_s:g} s") from None
        except requests.RequestException as exc:
            raise GateError(f"gate controller {self.url} unreachable: {type(exc).__name__}") from None
        if not 200 <= reply.status_code < 300:
            raise GateError(f"gate controller {self.url} answered HTTP {reply.status_code}")
        log.info("gate opened (HTTP %s)", self.url)

    def close(self) -> None:
        self._session.close()


def make_gate(kind: str, *, serial_port: str = "", serial_command: str = "", http_url: str = "",
              timeout_s: float = 2.0) -> Gate | None:
    """The gate the settings describe, or None for "none"; DeviceSettingError names a bad setting."""
    if kind == "none":
        return None
    if kind == "serial":
        if not serial_port:
            raise DeviceSettingError("gate kind 'serial' needs gate_serial_port")
        return SerialRelayGate(serial_port, parse_command(serial_command))
    if kind == "http":
        return HttpGate(http_url, timeout_s=timeout_s)
    raise DeviceSettingError(f"gate kind must be one of {', '.join(KINDS)}, not {kind!r}")
