"""Each uploaded scan event checked on its own (spec 5): an event the platform will never
accept is answered under `rejected` with the reason, and the rest of its batch is taken.

Only the whitelisted fields are read, each for its type and range, before anything is
computed from it (a day from `ts`, the fever flag from `temperature_c`), so that no
event's content can make the request fail. Unknown fields are ignored, never stored."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from checkpoint_app.core.events import TS_MAX, TS_MIN

MAX_INT = 2**53 - 1
COLORS = ("green", "yellow", "red")
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
# Control characters, and lone surrogates (JSON's "\ud800" decodes to one): no UTF-8 encoding
# exists for a surrogate, so the database, a page or a PDF would fail on it, and PostgreSQL
# refuses NUL in text. Such a text is never a real venue, action or operator.
_UNWRITABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class BadEvent(ValueError):
    """This event is rejected; the message says why (one line, no event content)."""


def _text(limit: int, *, null: bool = False, empty: bool = True) -> Callable[[Any], bool]:
    def ok(v: Any) -> bool:
        if v is None:
            return null
        return isinstance(v, str) and len(v) <= limit and (empty or v != "") and not _UNWRITABLE.search(v)
    return ok


def _int(v: Any) -> bool:
    return type(v) is int and 0 <= v <= MAX_INT


def _color(v: Any) -> bool:
    # Any case: the counts fold it (rollup.value_key), and "RED" means red.
    return v is None or (isinstance(v, str) and v.lower() in COLORS)


def _hid(v: Any) -> bool:
    return v is None or (isinstance(v, str) and _HEX32.fullmatch(v) is not None)


def _reasons(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 16 and all(_int(r) for r in v)


def _temperature(v: Any) -> bool:
    # A body temperature; json also reads NaN and Infinity, and 1e400 as infinity.
    return v is None or (type(v) in (int, float) and math.isfinite(v) and 20.0 <= v <= 50.0)


def _optional_bool(v: Any) -> bool:
    return v is None or type(v) is bool


# field: (required, check, what it must be)
FIELDS: dict[str, tuple[bool, Callable[[Any], bool], str]] = {
    "event_id": (True, _text(64, empty=False), "a text of 1-64 characters (no control characters)"),
    "ts": (True, lambda v: type(v) is int and TS_MIN <= v < TS_MAX,
           "whole seconds between 2020-01-01 and 2100-01-01"),
    "venue_id": (False, _text(64, null=True), "a text of at most 64 characters (no control characters)"),
    "venue_type": (False, _text(32, null=True), "a text of at most 32 characters (no control characters)"),
    "hid": (False, _hid, "32 hex digits or null"),
    "iss": (False, _text(16, null=True), "a text of at most 16 characters (no control characters) or null"),
    "code_color": (False, _color, "green, yellow, red or null"),
    "color": (False, _color, "green, yellow, red or null"),
    "reasons": (False, lambda v: v is None or _reasons(v), "a list of at most 16 reason codes"),
    "temperature_c": (False, _temperature, "a finite number of degrees between 20 and 50, or null"),
    "mask": (False, _optional_bool, "true, false or null"),
    "action": (True, _text(64, empty=False), "a text of 1-64 characters (no control characters)"),
    "allow": (False, lambda v: type(v) is bool, "true or false"),
    "error": (False, _text(64, null=True), "a text of at most 64 characters (no control characters) or null"),
    "policy_serial": (False, lambda v: v is None or _int(v), "an integer from 0 to 2^53-1 or null"),
    "operator": (False, _text(64, null=True), "a text of at most 64 characters (no control characters)"),
    "kind": (False, _text(32, null=True), "a text of at most 32 characters (no control characters) or null"),
    "manual_reason": (False, _text(32, null=True), "a text of at most 32 characters (no control characters) or null"),
    "source": (False, _text(16, null=True), "a text of at most 16 characters (no control characters) or null"),
}


def event_id_of(ev: Any) -> str | None:
    """The id to name a rejected event by, when it has a usable one."""
    eid = ev.get("event_id") if isinstance(ev, dict) else None
    return eid if isinstance(eid, str) and 0 < len(eid) <= 64 else None


_CHECKS = tuple((name, required, ok, what) for name, (required, ok, what) in FIELDS.items())
_MISSING = object()


def check_event(ev: Any) -> dict[str, Any]:
    """The event's whitelisted fields, checked; BadEvent names the first wrong one."""
    if not isinstance(ev, dict):
        raise BadEvent("the event is not a JSON object")
    out: dict[str, Any] = {}
    for name, required, ok, what in _CHECKS:
        value = ev.get(name, _MISSING)
        if value is _MISSING:
            if required:
                raise BadEvent(f"{name} is missing")
        elif ok(value):
            out[name] = value
        else:
            raise BadEvent(f"{name} must be {what}")
    return out
