"""Serial thermometers on pseudo-terminals: the line protocol and a simulated LU90614."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.hardware.errors import DeviceSettingError
from checkpoint_app.hardware.thermometer import (
    LineParser,
    Lu90614Parser,
    Thermometer,
    ThermometerError,
    lu90614_frame,
    parse_line,
    parse_lu90614,
)
from tests.support.serial_sim import Lu90614Device, PtyDevice
from tests.support.waiting import wait_for


class Inbox:
    """Collects a driver's callbacks (they arrive on its thread) for the test to wait on."""

    def __init__(self) -> None:
        self.readings: queue.Queue[float] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()

    def reading(self, timeout: float = 5.0) -> float:
        return self.readings.get(timeout=timeout)

    def error(self, timeout: float = 5.0) -> str:
        return self.errors.get(timeout=timeout)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def running() -> Iterator[list[Thermometer]]:
    started: list[Thermometer] = []
    yield started
    for t in started:
        t.stop()


def start(running: list[Thermometer], inbox: Inbox, port: str, protocol: str, **kw: float) -> Thermometer:
    t = Thermometer(port, protocol, inbox.readings.put, inbox.errors.put, reconnect_s=0.05, **kw)
    t.start()
    running.append(t)
    if not port.startswith("/dev/does-not"):
        wait_for(lambda: t.connected)  # pyserial empties the input buffer when it opens
    return t


@pytest.mark.parametrize(("line", "value"), [
    (b"36.5", 36.5), (b" 37 ", 37.0), (b"T=36.6C", 36.6), ("Body: 36.52 °C".encode(), 36.52), (b"temp 35.9", 35.9),
])
def test_line_formats(line: bytes, value: float) -> None:
    assert parse_line(line) == value


@pytest.mark.parametrize("line", [b"abc", b"36.5.1", b"\xff\xfe\x00", b"365", b"-5.0", b"36,5"])
def test_lines_that_are_not_readings(line: bytes) -> None:
    with pytest.raises(ThermometerError):
        parse_line(line)


def test_line_parser_joins_chunks_and_caps_garbage() -> None:
    p = LineParser()
    assert p.feed(b"36") == ([], [])
    assert p.feed(b".5\r") == ([36.5], [])
    assert p.feed(b"\n37.1\n") == ([37.1], [])
    readings, errors = p.feed(b"x" * 100)
    assert readings == [] and "no line end" in errors[0]
    assert p.feed(b"\n36.9\n") == ([36.9], [])


def test_lu90614_frames_as_documented() -> None:
    assert parse_lu90614(bytes.fromhex("FE AC 28 1E 00 00 00 00 F0")) == 40.30  # the vendor's example
    assert lu90614_frame(36.5) == bytes.fromhex("FE AC 24 32 00 00 00 00 00")
    with pytest.raises(ThermometerError, match="checksum"):
        parse_lu90614(bytes.fromhex("FE AC 24 32 00 00 00 00 01"))
    with pytest.raises(ThermometerError, match="object mode"):
        parse_lu90614(lu90614_frame(36.5, mode=0xAA))


def test_lu90614_parser_resynchronises_after_garbage() -> None:
    p = Lu90614Parser()
    good = lu90614_frame(36.7)
    bad = bytearray(lu90614_frame(36.8))
    bad[8] ^= 0xFF
    readings, errors = p.feed(b"\x00\x13garbage" + bytes(bad) + good[:4])
    assert readings == [] and errors
    readings, errors = p.feed(good[4:] + lu90614_frame(37.0))
    assert readings == [36.7, 37.0] and errors == []


def test_line_thermometer_on_a_pty(inbox: Inbox, running: list[Thermometer]) -> None:
    dev = PtyDevice()
    start(running, inbox, dev.path, "line")
    dev.send(b"36.5\r\n")
    assert inbox.reading() == 36.5
    dev.send(b"\xff\xfe\x01noise\r\n37")
    assert "not a temperature line" in inbox.error()
    dev.send(b".2\r\n")
    assert inbox.reading() == 37.2  # garbage before it lost nothing
    dev.unplug()


def test_simulated_lu90614_reports_each_forehead_once(inbox: Inbox, running: list[Thermometer]) -> None:
    dev = Lu90614Device(celsius=24.0)  # empty air in front of the module
    start(running, inbox, dev.path, "lu90614", poll_interval_s=0.02)
    dev.wait_queries(3)
    assert dev.body_mode, "the driver must put the module into body mode"
    assert inbox.readings.empty()
    dev.celsius = 36.6  # a person steps up
    assert inbox.reading() == 36.6
    dev.wait_queries(dev.queries + 5)
    assert inbox.readings.empty(), "the same person must not be reported again"
    dev.celsius = 23.5  # leaves
    dev.wait_queries(dev.queries + 3)
    dev.celsius = 37.4  # the next person
    assert inbox.reading() == 37.4
    dev.unplug()


def test_a_vanished_port_is_reported_and_picked_up_again(tmp_path: Path, inbox: Inbox,
                                                         running: list[Thermometer]) -> None:
    link = tmp_path / "ttyUSB-thermometer"
    dev = PtyDevice(link)
    t = start(running, inbox, str(link), "line")
    dev.send(b"36.5\n")
    assert inbox.reading() == 36.5
    dev.unplug()
    message = inbox.error()
    assert "lost" in message or "cannot open" in message
    again = PtyDevice(link)  # plugged back in under the same name
    again.send(b"36.8\n")
    while True:  # the bytes may arrive before the reader reopened: resend until heard
        try:
            assert inbox.reading(timeout=0.2) == 36.8
            break
        except queue.Empty:
            again.send(b"36.8\n")
    t.stop()
    again.unplug()


def test_a_missing_port_does_not_stop_the_app(inbox: Inbox, running: list[Thermometer]) -> None:
    start(running, inbox, "/dev/does-not-exist-ttyUSB9", "line")
    assert "cannot open thermometer port /dev/does-not-exist-ttyUSB9" in inbox.error()
    assert inbox.errors.empty()  # reported once, not every retry


def test_unknown_protocol_is_refused(inbox: Inbox) -> None:
    with pytest.raises(DeviceSettingError, match="line, lu90614"):
        Thermometer("/dev/null", "ascii", inbox.readings.put, inbox.errors.put)


def test_a_streaming_line_device_reports_foreheads_not_air(inbox: Inbox, running: list[Thermometer]) -> None:
    dev = PtyDevice()
    start(running, inbox, dev.path, "line")
    dev.send(b"T=24.1C\r\nT=24.3C\r\nT=36.4C\r\nT=36.4C\r\n")
    assert inbox.reading() == 36.4
    assert inbox.reading() == 36.4  # a line device measures on demand: a second reading is a re-measure
    dev.send(b"T=23.9C\r\n37.1\r\n")
    assert inbox.reading() == 37.1
    assert inbox.readings.empty() and inbox.errors.empty()
    dev.unplug()


# The link reports a lasting failure once, as whichever of these it meets first: a port that
# vanished under a read, that cannot be opened again, or that opened but refused the start
# command (a pty whose master just closed opens, then fails the body-mode write with EIO).
_PORT_FAILURES = ("lost", "cannot open", "refused the start command")


@pytest.mark.slow
def test_a_module_pulled_out_while_it_is_asked_is_reported_and_its_poller_lives(
        inbox: Inbox, running: list[Thermometer], monkeypatch: pytest.MonkeyPatch) -> None:
    """Unplugged in the middle of a query (asked every 0.2 ms here, for 6 s of tries): pyserial's
    flush raised termios.error, which is no OSError, and killed the poll thread -- in the
    window an escaped bug, "out of service" and a restart, for a thermometer pulled out."""
    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_type))
    until = time.monotonic() + 6
    while time.monotonic() < until and not escaped:
        dev = Lu90614Device(celsius=24.0)
        t = start(running, inbox, dev.path, "lu90614", poll_interval_s=0.0002)
        dev.wait_queries(2)
        dev.unplug()
        messages = [inbox.error()]  # a reply before body mode was set may come first
        while not any(failure in m for m in messages for failure in _PORT_FAILURES):
            messages.append(inbox.error())
        t.stop()
    assert escaped == []
