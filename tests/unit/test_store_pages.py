"""Status pages (spec 4.3) are checked whole: each malformation gets a clear error."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.sync.pages import encode_status_page, parse_status_page

H = b"\x05" * 16


def page(entries: list[Any], since: int = 10, to: int = 20, **kw: Any) -> bytes:
    doc = {"type": "status", "from": since, "to": to, "more": False, "reset": False, "entries": entries} | kw
    return cbor2.dumps(doc)


def test_a_good_page_parses_with_its_extension_time() -> None:
    payload = encode_status_page(10, 20, True, False, [[H, 2, [103], 5, 11], [H, 0, [], 6, 20]], at=99)
    p = parse_status_page(payload, 10)
    assert p.entries == ((H, 2, (103,), 5, 11), (H, 0, (), 6, 20)) and p.more and p.at == 99


@pytest.mark.parametrize(("payload", "message"), [
    (b"\xff\xff", "not CBOR"),
    (cbor2.dumps([1, 2]), "not a status page"),
    (page([], since=11), "not at the asked 10 (gap)"),
    (page([], to=9), "from <= to"),
    (page([], more=1), "wrong type"),
    (page([[H, 2, [103], 5]]), "not [hid, color, reasons, effective_at, seq]"),
    (page(["x"]), "not [hid, color, reasons, effective_at, seq]"),
    (page([[H[:15], 2, [], 5, 11]]), "hid is not 16 bytes"),
    (page([[H, 3, [], 5, 11]]), "colour is not 0-2"),
    (page([[H, True, [], 5, 11]]), "colour is not 0-2"),
    (page([[H, 1, [-1], 5, 11]]), "reasons are not non-negative"),
    (page([[H, 1, ["103"], 5, 11]]), "reasons are not non-negative"),
    (page([[H, 1, [], 5.5, 11]]), "effective_at is not an integer"),
    (page([[H, 1, [], 5, 10]]), "seq 10 is not increasing within (10, 20]"),
    (page([[H, 1, [], 5, 21]]), "seq 21"),
    (page([[H, 1, [], 5, 12], [H, 1, [], 5, 12]]), "seq 12"),
    (page([], since=3, to=5, reset=True), "reset must start at 0"),
])
def test_malformed_pages_are_refused_whole(payload: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_status_page(payload, 10)


def test_a_reset_page_is_accepted_for_any_since_but_not_while_rebuilding() -> None:
    reset = page([[H, 1, [], 5, 3]], since=0, to=3, reset=True)
    assert parse_status_page(reset, 500).reset
    with pytest.raises(DocumentError, match="cannot come while rebuilding"):
        parse_status_page(reset, 500, rebuilding=True)
