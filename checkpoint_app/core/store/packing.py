"""The compact value of a status-cache row: colour and reasons in one SQLite integer.

SQLite stores 0 and 1 in no bytes and small integers in 1-3 bytes, so
`color | (reason + 1) << (2 + 16 * i)` for up to three reasons below 65535 costs 1-6
bytes (red with reason 103 is 418: two bytes). Anything else (many reasons, huge
codes) falls back to a small blob: the colour byte, then the reasons as CBOR."""

from __future__ import annotations

import cbor2

from checkpoint_app.core.codes.claims import Color

_MAX_PACKED = 3
_REASON_LIMIT = 0xFFFF


def pack(color: int, reasons: tuple[int, ...]) -> int | bytes:
    # The first two branches are the common entries of a 10-million-row sync, checked first.
    if not reasons:
        return color
    if len(reasons) == 1 and 0 <= reasons[0] < _REASON_LIMIT:
        return color | (reasons[0] + 1) << 2
    if len(reasons) <= _MAX_PACKED and min(reasons) >= 0 and max(reasons) < _REASON_LIMIT:
        value = color
        for i, reason in enumerate(reasons):
            value |= (reason + 1) << (2 + 16 * i)
        return value
    return bytes([color]) + cbor2.dumps(list(reasons))


def unpack(value: int | bytes) -> tuple[Color, tuple[int, ...]]:
    if isinstance(value, bytes):
        return Color(value[0]), tuple(cbor2.loads(value[1:]))
    color = Color(value & 3)
    reasons: list[int] = []
    value >>= 2
    while value:
        reasons.append((value & 0xFFFF) - 1)
        value >>= 16
    return color, tuple(reasons)
