"""hardware/session_bus.py against hostile session buses on real unix sockets: refused
authentication, garbage, an absurd message length, a bus that dribbles one byte at a time.
Each ends in a BusError within the one deadline, never a hang or another exception."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checkpoint_app.hardware.session_bus import SCREENSAVER, BusError, SessionBus

Answer = Callable[[socket.socket], None]


@pytest.fixture
def bus_socket(tmp_path: Path) -> Iterator[Callable[[Answer], str]]:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "bus"))
    listener.listen(4)
    threads: list[threading.Thread] = []
    stop = threading.Event()

    def serve(answer: Answer) -> str:
        def run() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5)
                conn.recv(4096)  # the nul byte and AUTH
                with contextlib.suppress(OSError):  # the client gave up
                    answer(conn)
                stop.wait(5)
        t = threading.Thread(target=run, daemon=True)
        t.start()
        threads.append(t)
        return f"unix:path={tmp_path / 'bus'}"

    yield serve
    stop.set()
    listener.close()
    for t in threads:
        t.join(5)


def _ok(conn: socket.socket) -> None:
    conn.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
    conn.recv(4096)  # BEGIN and Hello


def _connect(address: str, seconds: float = 1.0) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(BusError) as caught:
        SessionBus.connect(address, started + seconds).call(SCREENSAVER, "Inhibit", "ss", ["a", "b"],
                                                            started + seconds)
    return str(caught.value), time.monotonic() - started


def test_refused_authentication(bus_socket: Callable[[Answer], str]) -> None:
    why, _ = _connect(bus_socket(lambda c: c.sendall(b"REJECTED EXTERNAL\r\n")))
    assert why == "the session bus refused us: b'REJECTED EXTERNAL'"


def test_garbage_instead_of_a_message(bus_socket: Callable[[Answer], str]) -> None:
    why, _ = _connect(bus_socket(lambda c: (_ok(c), c.sendall(b"B" + b"\xff" * 63))))
    assert why == "the session bus speaks big-endian or garbage"


def test_an_absurd_message_length(bus_socket: Callable[[Answer], str]) -> None:
    header = struct.pack("<cBBBIII", b"l", 2, 0, 1, 0x7FFFFFFF, 1, 0)
    why, took = _connect(bus_socket(lambda c: (_ok(c), c.sendall(header))))
    assert why.startswith("the session bus sent a message of ") and took < 0.5


def test_a_malformed_header(bus_socket: Callable[[Answer], str]) -> None:
    fields = b"\x05\x09" + b"z" * 14  # a signature length running past the header
    header = struct.pack("<cBBBIII", b"l", 2, 0, 1, 0, 1, len(fields)) + fields
    why, _ = _connect(bus_socket(lambda c: (_ok(c), c.sendall(header))))
    assert why.startswith("the session bus sent a ")


def test_a_bus_that_dribbles_is_cut_at_the_deadline(bus_socket: Callable[[Answer], str]) -> None:
    def dribble(c: socket.socket) -> None:
        for byte in b"OK 0123456789abcdef0123456789abcdef\r\n":
            c.sendall(bytes([byte]))
            time.sleep(0.2)
    why, took = _connect(bus_socket(dribble), seconds=1.0)
    assert why == "the session bus did not answer in time" or why.startswith("the session bus did not answer")
    assert 0.9 < took < 1.5


def test_no_bus_at_the_address(tmp_path: Path) -> None:
    why, _ = _connect(f"unix:path={tmp_path / 'nobody'}")
    assert why.startswith(f"no session bus at unix:path={tmp_path / 'nobody'}: ")
