"""Base45 (RFC 9285), strict: bad characters, a dangling character or an overflowing
group are errors, so that one text has exactly one decoding.

Decoding is vectorised with numpy: a hostile 10 MB text decodes in milliseconds, so
even the largest input reaches the zlib cap check instead of stalling the scanner."""

from __future__ import annotations

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 255
_TABLE = np.full(256, _INVALID, dtype=np.uint8)
_TABLE[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(45, dtype=np.uint8)
_WEIGHTS3 = np.array([1, 45, 2025], dtype=np.uint32)


class Base45Error(ValueError):
    pass


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise Base45Error("a character is not in the Base45 alphabet") from None
    values = _TABLE[np.frombuffer(raw, dtype=np.uint8)]
    if values.size and int(values.max()) == _INVALID:
        bad = raw[int(np.argmax(values == _INVALID))]
        raise Base45Error(f"character {chr(bad)!r} is not in the Base45 alphabet")
    if len(values) % 3 == 1:
        raise Base45Error("length leaves a single dangling character")
    full = len(values) - len(values) % 3
    groups = values[:full].reshape(-1, 3).astype(np.uint32) @ _WEIGHTS3
    if groups.size and int(groups.max()) > 0xFFFF:
        raise Base45Error("a three-character group exceeds 65535")
    out = groups.astype(">u2").tobytes()
    if len(values) % 3 == 2:
        n = int(values[-2]) + int(values[-1]) * 45
        if n > 0xFF:
            raise Base45Error("a final two-character group exceeds 255")
        out += bytes([n])
    return out
