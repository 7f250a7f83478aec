"""Status pages (spec 4.3, 4.4) are checked whole: each malformation gets a clear error."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.status_pages import StatusPage, encode_status_page, parse_status_page

H = b"\x05" * 16
E = b"\x0e" * 8
AT = 1_000_000
SKEW = 300


def page(entries: list[Any], since: int = 10, to: int = 20, **kw: Any) -> bytes:
    doc = {"type": "status", "from": since, "to": to, "more": False, "reset": False, "at": AT, "epoch": E,
           "trust_serial": 3, "policy_serial": 4, "entries": entries} | kw
    return cbor2.dumps({k: v for k, v in doc.items() if v is not None})


def parse(payload: bytes, since: int = 10, **kw: Any) -> StatusPage:
    return parse_status_page(payload, since, skew_s=SKEW, **kw)


def test_a_good_page_round_trips_with_its_signed_time_epoch_and_serials() -> None:
    sent = StatusPage(10, 20, True, False, ((H, 2, (103,), 5, 11), (H, 0, (), AT + SKEW, 20)), AT, E, 3, 4)
    assert parse(encode_status_page(sent)) == sent


@pytest.mark.parametrize(("payload", "message"), [
    (b"\xff\xff", "not CBOR"),
    (cbor2.dumps([1, 2]), "not a status page"),
    (page([], since=11), "not at the asked 10 (gap)"),
    (page([], to=9), "'from' is after 'to'"),
    (page([], more=1), "wrong type"),
    (page([[H, 2, [103], 5]]), "not [hid, color, reasons, effective_at, seq]"),
    (page(["x"]), "not [hid, color, reasons, effective_at, seq]"),
    (page([[H[:15], 2, [], 5, 11]]), "hid is not 16 bytes"),
    (page([[H, 3, [], 5, 11]]), "colour is not 0-2"),
    (page([[H, True, [], 5, 11]]), "colour is not 0-2"),
    (page([[H, 1, [-1], 5, 11]]), "reasons are not non-negative integers below 2^53"),
    (page([[H, 1, ["103"], 5, 11]]), "reasons are not non-negative integers"),
    (page([[H, 1, [2**53], 5, 11]]), "reasons are not non-negative integers"),
    (page([[H, 1, [], 5.5, 11]]), "effective_at is not an integer"),
    (page([[H, 1, [], -5, 11]]), "effective_at is not an integer"),
    (page([[H, 1, [], 5, 10]]), "seq 10 is not increasing within (10, 20]"),
    (page([[H, 1, [], 5, 21]]), "seq 21"),
    (page([[H, 1, [], 5, 12], [H, 1, [], 5, 12]]), "seq 12"),
    (page([], since=3, to=5, reset=True), "reset must start at 0"),
    # Version 1.1: the signed time, the epoch and the announced serials are required.
    (page([], at=None), "'at' is missing"),
    (page([], at=-1), "'at' is missing or not an integer"),
    (page([], at=2**53), "'at' is missing or not an integer"),
    (page([], at=1.5), "'at' is missing or not an integer"),
    (page([], epoch=None), "'epoch' is missing or not 8 bytes"),
    (page([], epoch=b"\x01" * 7), "'epoch' is missing or not 8 bytes"),
    (page([], epoch="0e0e0e0e0e0e0e0e"), "'epoch' is missing or not 8 bytes"),
    (page([], trust_serial=None), "'trust_serial' is missing"),
    (page([], policy_serial=True), "'policy_serial' is missing"),
    (page([], to=2**53, since=10), "'to' is missing or not an integer"),
    (page([], since=2**64, to=2**64), "'from' is missing or not an integer"),
    # An entry dated after its page (plus the skew) was published ahead of its time.
    (page([[H, 0, [], AT + SKEW + 1, 11]]), "after the page's time plus the clock skew"),
])
def test_malformed_pages_are_refused_whole(payload: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("^", r"\^").replace(".", r"\.")):
        parse(payload)


def test_a_reset_page_is_accepted_for_any_since_but_not_while_rebuilding() -> None:
    reset = page([[H, 1, [], 5, 3]], since=0, to=3, reset=True)
    assert parse(reset, 500).reset
    with pytest.raises(DocumentError, match="cannot come while rebuilding"):
        parse(reset, 500, rebuilding=True)


@pytest.mark.parametrize("enabled_before", [True, False])
def test_no_garbage_collection_runs_while_a_page_is_decoded_and_checked(enabled_before: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # A collection amid a page's 10,000 short-lived lists would move them to the old
    # generations, and the full collections that follow hold the interpreter lock for tens of
    # milliseconds while the window's store thread waits to record a scan.
    import gc

    from checkpoint_app.core import status_pages as pages

    seen: list[tuple[str, bool]] = []
    loads, entries = pages.cbor2.loads, pages._entries

    def seen_loads(payload: bytes) -> Any:
        seen.append(("decode", gc.isenabled()))
        return loads(payload)

    def seen_entries(*args: Any) -> Any:
        checked = entries(*args)
        seen.append(("check", gc.isenabled()))
        return checked

    monkeypatch.setattr(pages, "cbor2", type("cbor2", (), {"loads": staticmethod(seen_loads)}))
    monkeypatch.setattr(pages, "_entries", seen_entries)
    (gc.enable if enabled_before else gc.disable)()
    try:
        assert len(parse(page([[H, 2, [103], 5, 11 + i] for i in range(9)])).entries) == 9
        assert gc.isenabled() is enabled_before  # left as it was found
        with pytest.raises(DocumentError, match="colour"):
            parse(page([[H, 3, [], 5, 11]]))
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()
    assert seen == [("decode", False), ("check", False), ("decode", False)]
