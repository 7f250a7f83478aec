"""The base text of a resident ID card as the SAM reader returns it, and the one thing a
lookup takes from it: the identity number.

The read reply's data is: text length (2, big-endian) | photo length (2) | text (256) |
photo (1024, the WLT image, not kept). The 256-byte text is UCS-2 little-endian, fixed
width, padded with spaces:

    name 30 | sex 2 | nation 4 | birth date 16 | address 70 | ID number 36 |
    issuing office 30 | valid from 16 | valid to 16 | reserved 36

sex is a GB/T 2261.1 code (1 man, 2 woman), nation a GB 3304 code ("01" Han), the dates
YYYYMMDD, "valid to" may be 长期 ("long-term"). The residence permit of Hong Kong, Macao
and Taiwan residents (since 2018) has the same layout with the nation field reserved and
"J" as its 125th character (bytes 248-249); its number is a GB 11643 number (81/82/83...),
so it is looked up as doc_type 1. The foreigner's permanent residence card has "I" there
and another layout (English name first, a 15-character number) and is refused here.

The other fields are parsed only to check the read: a name, a birth date and sex that
agree with the number, dates of the right shape. A card that is past its validity is still
its holder's number (the checkpoint checks health status, not the card) and is accepted.

Sources: 东信 "身份证阅读器SAM模块身份证信息解析说明" (http://eastcoms.com/service/downdrive/533.html,
http://www.chinasem.cn/article/392748: field widths, UCS-2 little-endian, space padding, a
worked example); 外国人永久居留证 machine-readable data table (https://www.afzhan.com/st170652/news_212938.html:
the "I" at byte 248); 港澳台居民居住证 (http://consesp.com/n2/465.html, and the 公安部检测中心 note at
https://wtabcd.cn/falv/fa/78/122551.html: same technical standard as the ID card, 81/82/83 numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checkpoint_app.core.identity import IdDocument, problem
from checkpoint_app.hardware.errors import DeviceError

TEXT_BYTES, PHOTO_BYTES = 256, 1024
RESIDENT, RESIDENCE_PERMIT, FOREIGNER = " ", "J", "I"
_FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
           ("office", 30), ("valid_from", 16), ("valid_to", 16))
_TYPE_AT = 124  # character index of the card type (bytes 248-249)
_DATE = re.compile(r"[0-9]{8}")
LONG_TERM = "长期"


class CardError(DeviceError):
    """A card this checkpoint cannot use. `code`: "malformed", "unsupported_card",
    "bad_number" or "inconsistent"; the message never holds the card's details."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True, slots=True, repr=False)
class CardText:
    """Parsed to be checked, then dropped; its repr shows the card type only."""

    name: str
    sex: str
    nation: str
    birth: str
    address: str
    id_number: str
    office: str
    valid_from: str
    valid_to: str
    card_type: str

    def __repr__(self) -> str:
        return f"CardText(card_type={self.card_type!r})"


def text_of_reply(data: bytes) -> bytes:
    """The 256 text bytes of a read reply's data (the photo is skipped, not copied)."""
    if len(data) < 4:
        raise CardError("malformed", f"{len(data)} data bytes")
    text_len, photo_len = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
    if text_len != TEXT_BYTES or len(data) < 4 + text_len + photo_len:
        raise CardError("malformed", f"text {text_len} and photo {photo_len} bytes in {len(data)}")
    return data[4:4 + TEXT_BYTES]


def parse_text(text: bytes) -> CardText:
    if len(text) != TEXT_BYTES:
        raise CardError("malformed", f"{len(text)} text bytes")
    try:
        chars = text.decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardError("malformed", "the text is not UCS-2") from None  # its message would quote bytes
    values, at = {}, 0
    for name, size in _FIELDS:
        values[name] = chars[at:at + size // 2].strip(" \x00")
        at += size // 2
    card_type = chars[_TYPE_AT].replace("\x00", " ")
    return CardText(card_type=card_type, **values)


def document_of(card: CardText) -> IdDocument:
    """The lookup's (doc_type 1, number) from a card's text, or CardError."""
    if card.card_type == FOREIGNER:
        raise CardError("unsupported_card", "a foreigner's permanent residence card")
    if card.card_type not in (RESIDENT, RESIDENCE_PERMIT):
        raise CardError("unsupported_card", f"card type {card.card_type.encode('unicode_escape')!r}")
    number = card.id_number
    found = problem(number)
    if found is not None:
        raise CardError("bad_number", str(found))
    _check_agrees(card, number)
    return IdDocument(1, number)


def _check_agrees(card: CardText, number: str) -> None:
    if not card.name:
        raise CardError("inconsistent", "no name")
    if card.birth != number[6:14]:
        raise CardError("inconsistent", "the birth date differs from the number's")
    if card.sex != ("1" if int(number[16]) % 2 else "2"):
        raise CardError("inconsistent", "the sex differs from the number's")
    if not _DATE.fullmatch(card.valid_from) or not (_DATE.fullmatch(card.valid_to) or card.valid_to == LONG_TERM):
        raise CardError("inconsistent", "validity dates of the wrong shape")

