"""The D-Bus message format (little-endian), as far as hardware/session_bus.py needs it:
method calls with string arguments out; replies, errors and signals in, of which only the
reply serial, the body's signature and a first uint32 or string are read."""

from __future__ import annotations

import struct
from dataclasses import dataclass

METHOD_CALL, METHOD_RETURN, ERROR = 1, 2, 3


class WireError(ValueError):
    """A header this reader cannot walk."""


@dataclass(frozen=True)
class Service:
    name: str
    path: str
    interface: str


def pad(n: int, to: int = 8) -> int:
    return (n + to - 1) // to * to


def _string(s: str, code: bytes = b"s") -> bytes:
    raw = s.encode()
    if code == b"g":
        return struct.pack("<B", len(raw)) + raw + b"\0"
    return struct.pack("<I", len(raw)) + raw + b"\0"


def _field(out: bytearray, code: int, signature: bytes, value: str) -> None:
    out += b"\0" * (pad(len(out)) - len(out))  # each (yv) struct starts on 8
    out += struct.pack("<B", code) + _string(signature.decode(), b"g")
    out += b"\0" * (pad(len(out), 1 if signature == b"g" else 4) - len(out))
    out += _string(value, signature)


def message(serial: int, service: Service, method: str, signature: str, args: list[str]) -> bytes:
    body = bytearray()
    for a in args:  # strings only: each is 4-aligned from the body's start
        body += b"\0" * (pad(len(body), 4) - len(body)) + _string(a)
    fields = bytearray()
    _field(fields, 1, b"o", service.path)
    _field(fields, 2, b"s", service.interface)
    _field(fields, 3, b"s", method)
    _field(fields, 6, b"s", service.name)
    if signature:
        _field(fields, 8, b"g", signature)
    header = struct.pack("<cBBBIII", b"l", METHOD_CALL, 0, 1, len(body), serial, len(fields)) + fields
    return header + b"\0" * (pad(len(header)) - len(header)) + bytes(body)


def header_fields(raw: bytes) -> tuple[int | None, str]:
    """REPLY_SERIAL and SIGNATURE out of a header's a(yv); the others are skipped."""
    reply_to, signature, i = None, "", 0
    while i < len(raw):
        i = pad(i)
        code, sig_len = raw[i], raw[i + 1]
        sig = raw[i + 2:i + 2 + sig_len]
        i += 3 + sig_len
        if sig in (b"s", b"o"):
            i = pad(i, 4)
            n = struct.unpack_from("<I", raw, i)[0]
            i += 4 + n + 1
        elif sig == b"g":
            n = raw[i]
            value = raw[i + 1:i + 1 + n].decode()
            i += 2 + n
            if code == 8:
                signature = value
        elif sig == b"u":
            i = pad(i, 4)
            if code == 5:
                reply_to = struct.unpack_from("<I", raw, i)[0]
            i += 4
        else:
            raise WireError(f"the session bus sent a header field of type {sig!r}")
    return reply_to, signature


def first_string(signature: str, body: bytes) -> str:
    if not signature.startswith("s") or len(body) < 4:
        return "no reason given"  # an error's first argument is its message
    n = struct.unpack_from("<I", body)[0]
    return body[4:4 + n].decode(errors="replace")[:200]
