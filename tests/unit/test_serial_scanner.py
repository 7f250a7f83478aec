"""Serial 2D scanners on a pseudo-terminal: one line per scan, whatever the suffix."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

from checkpoint_app.hardware.serial_scanner import MAX_SCAN, ScanLineParser, SerialScanner
from tests.support.serial_sim import PtyDevice
from tests.support.waiting import wait_for

PAYLOAD = "JKM1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B"


def test_every_suffix_ends_a_scan() -> None:
    p = ScanLineParser()
    assert p.feed(b"A1\rB2\nC3\r\nD4") == ["A1", "B2", "C3"]
    assert p.feed(b"\r\n\r\n") == ["D4"]  # empty lines between scans are not scans


def test_an_endless_line_is_dropped_whole() -> None:
    p = ScanLineParser()
    assert p.feed(b"X" * (MAX_SCAN + 10)) == []
    assert p.feed(b"XXXX\r\n" + PAYLOAD.encode() + b"\r\n") == [PAYLOAD]  # its tail too


def test_undecodable_bytes_reach_the_core_as_text() -> None:
    # the core turns this into an "invalid code" on screen rather than silence
    assert ScanLineParser().feed(b"JKM1:\xff\xfe\r") == ["JKM1:\ufffd\ufffd"]


@pytest.fixture
def scanner() -> Iterator[tuple[SerialScanner, PtyDevice, queue.Queue[str], queue.Queue[str]]]:
    dev = PtyDevice()
    scans: queue.Queue[str] = queue.Queue()
    errors: queue.Queue[str] = queue.Queue()
    s = SerialScanner(dev.path, scans.put, errors.put, reconnect_s=0.05)
    s.start()
    wait_for(lambda: s.connected)
    yield s, dev, scans, errors
    s.stop()
    dev.unplug()


def test_scans_arrive_from_the_port(scanner) -> None:
    _, dev, scans, _ = scanner
    dev.send(PAYLOAD[:20].encode())
    dev.send(PAYLOAD[20:].encode() + b"\r")
    dev.send(b"NEXT-CODE\r\n")
    assert scans.get(timeout=5) == PAYLOAD
    assert scans.get(timeout=5) == "NEXT-CODE"


def test_unplugging_is_reported_once_and_stop_is_prompt(scanner) -> None:
    s, dev, _, errors = scanner
    dev.unplug()
    assert "serial_scanner port" in errors.get(timeout=5)
    s.stop()
    assert errors.empty()
