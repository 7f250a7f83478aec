"""The compact value of a status-cache row: colour and reasons in one SQLite integer.

SQLite stores 0 and 1 in no bytes and small integers in 1-3 bytes, so
`color | (reason + 1) << (2 + 16 * i)` for up to three reasons below 65535 costs 1-6
bytes (red with reason 103 is 418: two bytes). Anything else (many reasons, huge
codes) falls back to a small blob: the colour byte, then the reasons as CBOR."""

from __future__ import annotations

import cbor2

from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.store.errors import StoreError

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


def unpack(value: object) -> tuple[Color, tuple[int, ...]]:
    """The colour and reasons of a stored value; StoreError for a value that no `pack` wrote
    (a damaged or edited file): no decision is made from it, rather than a wrong one."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0 and value & 3 <= Color.RED:
        color = Color(value & 3)
        reasons: list[int] = []
        value >>= 2
        while value:
            reasons.append((value & 0xFFFF) - 1)
            value >>= 16
        return color, tuple(reasons)
    if type(value) is bytes and value and value[0] <= Color.RED:
        try:
            listed = cbor2.loads(value[1:])
        except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
            listed = None
        if type(listed) is list and all(type(r) is int and 0 <= r < 2**53 for r in listed):
            return Color(value[0]), tuple(listed)
    raise StoreError(f"the status cache holds a damaged entry ({_shown(value)}); no decision is made from it")


def _shown(value: object) -> str:
    if isinstance(value, int):
        return f"colour {value & 3}" if value >= 0 else f"value {value}"
    return f"a {type(value).__name__} value"
