"""Just enough of the D-Bus wire protocol to ask the session's screen saver service for an
inhibition, with every step bounded by one deadline.

Why not QtDBus: its connect runs libdbus's authentication without any timeout, so a session
bus that takes the connection and never answers (a wedged dbus-daemon, a stale socket held by
a dying session) holds the caller -- and Qt's D-Bus manager thread, which the process waits
for at exit -- forever. Here a socket with a deadline does it, and `close()` from any other
thread ends whatever is waiting. The inhibition lasts while this connection is open: the
services drop it when its owner leaves the bus.

    with SessionBus.connect(address, deadline) as bus:  # BusError: no answer in time, refused
        cookie = bus.call(SCREENSAVER, "Inhibit", "ss", ["checkpoint", "why"], deadline)
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import time
from collections.abc import Callable
from types import TracebackType

from checkpoint_app.hardware.dbus_wire import (
    ERROR,
    METHOD_RETURN,
    Service,
    WireError,
    first_string,
    header_fields,
    message,
    pad,
)

_HELLO = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
_MAX_MESSAGE = 1 << 20  # a screen saver's answers are tiny; anything bigger is not one


class BusError(Exception):
    """The bus is not there, did not answer in time, or refused: one line, no traceback."""


SCREENSAVER = Service("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver")


def session_address() -> str:
    """The session bus's socket address (BusError when there is none)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if runtime and os.path.exists(os.path.join(runtime, "bus")):
            return "unix:path=" + os.path.join(runtime, "bus")
        raise BusError("no D-Bus session bus")
    return address


def _socket_path(address: str) -> str:
    for entry in address.split(";"):
        kind, _, rest = entry.partition(":")
        keys = dict(kv.partition("=")[::2] for kv in rest.split(","))
        if kind == "unix" and "path" in keys:
            return keys["path"]
        if kind == "unix" and "abstract" in keys:
            return "\0" + keys["abstract"]
    raise BusError(f"no unix socket in the session bus address {address!r}")


class SessionBus:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._serial = 0
        self._buffer = b""
        self.name = ""  # our unique name on the bus, once registered

    @classmethod
    def connect(cls, address: str, deadline: float, *,
                opened: Callable[[SessionBus], None] = lambda _: None) -> SessionBus:
        """Connected, authenticated and registered (Hello) before `deadline` (monotonic).
        `opened(bus)` before the first wait: another thread may then `close()` it."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        bus = cls(sock)
        try:
            opened(bus)
            sock.settimeout(_left(deadline))
            try:
                sock.connect(_socket_path(address))
            except OSError as exc:
                raise BusError(f"no session bus at {address}: {exc.strerror or exc}") from None
            bus._authenticate(deadline)
            bus.name = str(bus.call(Service(*_HELLO), "Hello", "", [], deadline))
        except BaseException:
            bus.close()
            raise
        return bus

    def close(self) -> None:
        """From any thread: ends the connection, and with it whatever waits on it."""
        with contextlib.suppress(OSError):  # never connected, or already closed
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def __enter__(self) -> SessionBus:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def call(self, service: Service, method: str, signature: str, args: list[str],
             deadline: float) -> int | str | None:
        """Calls `method` with string arguments; its first result if a uint32 or a string."""
        self._serial += 1
        serial = self._serial
        self._send(message(serial, service, method, signature, args), deadline)
        while True:
            kind, reply_to, body_signature, body = self._receive(deadline)
            if reply_to != serial or kind not in (METHOD_RETURN, ERROR):
                continue  # a signal (NameAcquired) or an answer to someone else
            if kind == ERROR:
                raise BusError(f"{service.interface}.{method} refused: {first_string(body_signature, body)}")
            if body_signature.startswith("u"):
                return int(struct.unpack_from("<I", body)[0])
            return first_string(body_signature, body) if body_signature.startswith("s") else None

    def _authenticate(self, deadline: float) -> None:
        uid = str(os.getuid()).encode().hex()
        self._send(b"\0AUTH EXTERNAL " + uid.encode() + b"\r\n", deadline)
        line = self._line(deadline)
        if not line.startswith(b"OK "):
            raise BusError(f"the session bus refused us: {line[:80]!r}")
        self._send(b"BEGIN\r\n", deadline)

    def _send(self, data: bytes, deadline: float) -> None:
        try:
            self._sock.settimeout(_left(deadline))
            self._sock.sendall(data)
        except OSError as exc:
            raise BusError(f"the session bus did not take our message: {exc}") from None

    def _more(self, deadline: float) -> None:
        try:
            self._sock.settimeout(_left(deadline))
            chunk = self._sock.recv(65536)
        except OSError as exc:  # a timeout too
            raise BusError(f"the session bus did not answer: {exc or 'timed out'}") from None
        if not chunk:
            raise BusError("the session bus closed the connection")
        self._buffer += chunk

    def _line(self, deadline: float) -> bytes:
        while b"\r\n" not in self._buffer:
            if len(self._buffer) > 4096:
                raise BusError("the session bus answers garbage")
            self._more(deadline)
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line

    def _receive(self, deadline: float) -> tuple[int, int | None, str, bytes]:
        """One message: (type, reply serial, body signature, body)."""
        while len(self._buffer) < 16:
            self._more(deadline)
        if self._buffer[:1] != b"l":
            raise BusError("the session bus speaks big-endian or garbage")  # dbus-daemon answers in our order
        body_length, _, fields_length = struct.unpack_from("<III", self._buffer, 4)
        header_end = pad(16 + fields_length)
        total = header_end + body_length
        if total > _MAX_MESSAGE:
            raise BusError(f"the session bus sent a message of {total} bytes")
        while len(self._buffer) < total:
            self._more(deadline)
        raw, self._buffer = self._buffer[:total], self._buffer[total:]
        try:
            reply_to, signature = header_fields(raw[16:16 + fields_length])
        except (IndexError, struct.error, UnicodeDecodeError, WireError) as exc:
            raise BusError(f"the session bus sent a malformed header ({exc})") from None
        return raw[1], reply_to, signature, raw[header_end:]


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise BusError("the session bus did not answer in time")
    return left
