"""Status pages (spec 4.3, 4.4): the CBOR payload, checked whole before anything is applied.

Below both the store (which applies a page) and the sync (which fetches and checks one),
and the authority, which encodes them: none of them owns the wire format."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import cbor2

from checkpoint_app.core.bounds import MAX_INT
from checkpoint_app.core.errors import DocumentError

HID_LEN = 16
EPOCH_LEN = 8
# One entry: [hid, color, reasons, effective_at, seq].
Entry = tuple[bytes, int, tuple[int, ...], int, int]
_HEADER_INTS = ("from", "to", "at", "trust_serial", "policy_serial")


@dataclass(frozen=True, slots=True)
class StatusPage:
    since: int
    to: int
    more: bool
    reset: bool
    entries: tuple[Entry, ...]
    at: int  # the platform's time when it signed the page
    epoch: bytes  # names this life of the platform's log
    trust_serial: int  # the documents the platform served at `at`
    policy_serial: int


def _uint(value: Any) -> bool:
    """An integer in 0..2^53-1 (spec 4.4); bools are not integers here."""
    return type(value) is int and 0 <= value <= MAX_INT


def _bad(raw: Any, low: int, high: int, latest: int) -> DocumentError:
    """Name what is wrong with an entry that failed the fast check below."""
    if not (isinstance(raw, list) and len(raw) == 5):
        return DocumentError("status page: an entry is not [hid, color, reasons, effective_at, seq]")
    hid, color, reasons, effective_at, seq = raw
    if not (type(hid) is bytes and len(hid) == HID_LEN):
        return DocumentError("status page: an entry's hid is not 16 bytes")
    if not (_uint(color) and color <= 2):
        return DocumentError("status page: an entry's colour is not 0-2")
    if not (type(reasons) is list and all(_uint(r) for r in reasons)):
        return DocumentError("status page: an entry's reasons are not non-negative integers below 2^53")
    if not _uint(effective_at):
        return DocumentError("status page: an entry's effective_at is not an integer in 0..2^53-1")
    if effective_at > latest:
        return DocumentError(f"status page: an entry takes effect at {effective_at}, after the page's time"
                             f" plus the clock skew ({latest}): a change published ahead of its time")
    return DocumentError(f"status page: seq {seq!r} is not increasing within ({low}, {high}]")


def _entries(raw_entries: list[Any], low: int, high: int, latest: int) -> list[Entry]:
    # One tight loop with `type(...) is`: a full sync checks ten million entries, and this is
    # several times faster than a function per entry (bools fail `type(x) is int` too).
    entries: list[Entry] = []
    append = entries.append
    for raw in raw_entries:
        try:
            hid, color, reasons, effective_at, seq = raw
        except (TypeError, ValueError):
            raise _bad(raw, low, high, latest) from None
        if (type(raw) is not list or type(hid) is not bytes or len(hid) != HID_LEN or type(color) is not int
                or not 0 <= color <= 2 or type(reasons) is not list or type(effective_at) is not int
                or effective_at >> 53 or effective_at > latest or type(seq) is not int or not low < seq <= high):
            raise _bad(raw, low, high, latest)
        # x >> 53 is 0 exactly for 0 <= x <= 2^53-1 (spec 4.4): one operation, not two
        # comparisons. seq needs no test of its own: it lies within (from, to], which _header bounds.
        for r in reasons:
            if type(r) is not int or r >> 53:
                raise _bad(raw, low, high, latest)
        append((hid, color, tuple(reasons), effective_at, seq))
        low = seq
    return entries


def _header(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("type") != "status":
        raise DocumentError("document is not a status page")
    for key in _HEADER_INTS:
        if not _uint(obj.get(key)):
            raise DocumentError(f"status page: {key!r} is missing or not an integer in 0..2^53-1")
    if obj["from"] > obj["to"]:
        raise DocumentError("status page: 'from' is after 'to'")
    if not (isinstance(obj.get("more"), bool) and isinstance(obj.get("reset"), bool)
            and isinstance(obj.get("entries"), list)):
        raise DocumentError("status page: 'more', 'reset' or 'entries' is missing or of the wrong type")
    epoch = obj.get("epoch")
    if not (type(epoch) is bytes and len(epoch) == EPOCH_LEN):
        raise DocumentError("status page: 'epoch' is missing or not 8 bytes")
    return obj


@contextmanager
def _no_collection() -> Iterator[None]:
    """Without the cyclic garbage collector while a page is decoded and checked. The decoded
    page is tens of thousands of lists (one per entry) that live only until the check has
    made its tuples; a collection that runs meanwhile moves them to the older generations,
    and then one collection in two or three pages scans the whole heap, holding the
    interpreter lock for tens of milliseconds (more in the window, whose heap is larger), while
    the window's store thread waits to record a scan. They form no cycle: reference counting
    frees them, and the next collection finds the tuples that stay without references to
    follow and stops tracking them. Process-wide, so left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_status_page(payload: bytes, since: int, *, skew_s: int, rebuilding: bool = False) -> StatusPage:
    """The page answering `since`, or DocumentError: a wrong `from`, a malformed entry, an
    entry dated after the page's `at + skew_s`, or a seq out of order refuses the whole page."""
    with _no_collection():
        return _parse(payload, since, skew_s, rebuilding)


def _parse(payload: bytes, since: int, skew_s: int, rebuilding: bool) -> StatusPage:
    try:
        obj = cbor2.loads(payload)
    except Exception as exc:  # cbor2 raises several types for truncated or bad input
        raise DocumentError(f"status page is not CBOR: {exc}") from None
    h = _header(obj)
    start, to, reset = h["from"], h["to"], h["reset"]
    if reset and (start != 0 or rebuilding):
        raise DocumentError("status page: a reset must start at 0 and cannot come while rebuilding")
    if not reset and start != since:
        raise DocumentError(f"status page starts at {start}, not at the asked {since} (gap)")
    entries = _entries(h["entries"], start, to, h["at"] + skew_s)
    return StatusPage(start, to, h["more"], reset, tuple(entries), h["at"], h["epoch"], h["trust_serial"],
                      h["policy_serial"])


def encode_status_page(page: StatusPage) -> bytes:
    """The CBOR payload of a page (the authority signs it)."""
    return cbor2.dumps({
        "type": "status", "from": page.since, "to": page.to, "more": page.more, "reset": page.reset,
        "at": page.at, "epoch": page.epoch, "trust_serial": page.trust_serial,
        "policy_serial": page.policy_serial, "entries": page.entries,
    })
