"""The SAM reader protocol's frames and the card's base text, against published bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint_app.core.identity import IdDocument
from checkpoint_app.hardware import sam_protocol as sam
from checkpoint_app.hardware.id_card_text import CardError, document_of, parse_text, text_of_reply
from tests.support.id_card_sim import PHOTO, Card, frame

NUMBER = "11010519491231002X"
# As printed in vendors' protocol notes and in programs that work with real readers
FIND_REPLY = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
SELECT_REPLY = bytes.fromhex("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C")
NO_CARD_REPLY = bytes.fromhex("AA AA AA 96 69 00 04 00 00 80 84")
READ_FAILED_REPLY = bytes.fromhex("AA AA AA 96 69 00 04 00 00 41 45")


def test_commands_are_the_published_bytes() -> None:
    assert sam.command(sam.FIND_CARD) == bytes.fromhex("AA AA AA 96 69 00 03 20 01 22")
    assert sam.command(sam.SELECT_CARD) == bytes.fromhex("AA AA AA 96 69 00 03 20 02 21")
    assert sam.command(sam.READ_BASE) == bytes.fromhex("AA AA AA 96 69 00 03 30 01 32")
    assert sam.command(sam.SAM_STATUS) == bytes.fromhex("AA AA AA 96 69 00 03 11 FF ED")


def test_published_replies_parse() -> None:
    replies, noise = sam.ReplyParser().feed(FIND_REPLY + SELECT_REPLY + NO_CARD_REPLY + READ_FAILED_REPLY)
    assert noise == []
    assert [(r.sw3, len(r.data)) for r in replies] == [(0x9F, 4), (0x90, 8), (0x80, 0), (0x41, 0)]
    assert frame(0x9F, bytes(4)) == FIND_REPLY  # the simulated reader speaks the same bytes


def test_a_read_reply_has_the_published_header() -> None:
    whole = frame(0x90, bytes.fromhex("0100 0400") + Card(NUMBER).text() + PHOTO)
    assert whole[:14] == bytes.fromhex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00") and len(whole) == 1295


def test_the_parser_waits_for_halves_and_skips_garbage() -> None:
    parser = sam.ReplyParser()
    stream = b"\x00\xffAA" + b"\xaa\x00" + FIND_REPLY + SELECT_REPLY  # an "AA 00 AA AA 96 69" glitch seen in the wild
    got: list[sam.Reply] = []
    kinds = set()
    for b in stream:
        replies, noise = parser.feed(bytes([b]))
        got += replies
        kinds |= {k for k, _ in noise}
    assert [r.sw3 for r in got] == [0x9F, 0x90] and kinds == {sam.Noise.GARBAGE}


def test_bad_checksums_and_lengths_are_dropped_and_the_next_frame_found() -> None:
    bad = FIND_REPLY[:-1] + b"\x00"
    huge = sam.PREAMBLE + b"\xff\xff" + b"\x00" * 8
    replies, noise = sam.ReplyParser().feed(bad + huge + SELECT_REPLY)
    assert [r.sw3 for r in replies] == [0x90]
    assert {k for k, _ in noise} >= {sam.Noise.CHECKSUM, sam.Noise.LENGTH}


def test_nothing_a_parser_says_quotes_the_data() -> None:
    text = Card(NUMBER).text()
    broken = bytearray(frame(0x90, bytes.fromhex("0100 0400") + text + PHOTO))
    broken[-1] ^= 1
    reply = sam.ReplyParser().feed(frame(0x90, bytes.fromhex("0100 0400") + text + PHOTO))[0][0]
    _, noise = sam.ReplyParser().feed(bytes(broken))
    said = repr(reply) + " ".join(m for _, m in noise)
    assert text[:40].hex() not in said.replace(" ", "") and "1949" not in said and "1101" not in said


@given(st.binary(max_size=300), st.integers(0, len(FIND_REPLY) - 1))
def test_any_noise_before_a_frame_never_hides_it(noise: bytes, cut: int) -> None:
    parser = sam.ReplyParser()
    got, _ = parser.feed(noise + FIND_REPLY[:cut])
    more, _ = parser.feed(FIND_REPLY[cut:] + SELECT_REPLY)
    assert [r.sw3 for r in got + more][-2:] == [0x9F, 0x90]


def test_a_resident_card() -> None:
    card = parse_text(Card(NUMBER, valid_to="长期").text())
    assert (card.name, card.sex, card.nation, card.birth, card.valid_to) == ("王小廉", "2", "01", "19491231", "长期")
    assert card.address.startswith("山西省") and card.card_type == " "
    assert document_of(card) == IdDocument(1, NUMBER)
    assert "王" not in repr(card) and NUMBER not in repr(card)


def test_a_residence_permit_of_a_hong_kong_resident_is_a_resident_number() -> None:
    card = Card("810000199408230021", nation="", card_type="J")
    assert document_of(parse_text(card.text())) == IdDocument(1, "810000199408230021")


@pytest.mark.parametrize(("card", "code"), [
    (Card(NUMBER, card_type="I"), "unsupported_card"),
    (Card(NUMBER, card_type="Q"), "unsupported_card"),
    (Card("110105194912310021"), "bad_number"),
    (Card(NUMBER, birth="19500101"), "inconsistent"),
    (Card(NUMBER, sex="1"), "inconsistent"),
    (Card(NUMBER, name=""), "inconsistent"),
    (Card(NUMBER, valid_to="2035"), "inconsistent"),
])
def test_cards_that_cannot_be_used(card: Card, code: str) -> None:
    with pytest.raises(CardError) as caught:
        document_of(parse_text(card.text()))
    assert caught.value.code == code
    assert NUMBER not in str(caught.value) and "19491231" not in str(caught.value)


def test_malformed_text() -> None:
    with pytest.raises(CardError, match="not UCS-2"):
        parse_text(b"\x00\xd8" + Card(NUMBER).text()[2:])  # a lone surrogate
    with pytest.raises(CardError, match="malformed"):
        parse_text(Card(NUMBER).text()[:-2])
    with pytest.raises(CardError, match="malformed"):
        text_of_reply(bytes.fromhex("0100 0400") + Card(NUMBER).text())  # the photo missing
    with pytest.raises(CardError, match="malformed"):
        text_of_reply(bytes.fromhex("0080 0400") + Card(NUMBER).text() + PHOTO)
    assert text_of_reply(bytes.fromhex("0100 0400") + Card(NUMBER).text() + PHOTO) == Card(NUMBER).text()
