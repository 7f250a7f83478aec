"""The data segments of a QR code's corrected bit stream (ISO/IEC 18004 7.4): numeric,
alphanumeric, byte, kanji and ECI, and the padding an encoder leaves after them. Anything an
encoder would not write is an error here: a corrupted stream that passed Reed-Solomon by
bad luck still has to look like what an encoder writes."""

from __future__ import annotations

import numpy as np

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ECI_CHARSETS = {3: "latin-1", 4: "iso8859-2", 20: "shift_jis", 26: "utf-8", 28: "big5", 29: "gb18030", 30: "euc-kr"}


class QRError(ValueError):
    """The modules do not make a readable QR code."""


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.bits = np.unpackbits(np.frombuffer(data, np.uint8))
        self.pos = 0

    def left(self) -> int:
        return len(self.bits) - self.pos

    def take(self, count: int) -> int:
        if count > self.left():
            raise QRError("bit stream ends inside a segment")
        value = 0
        for b in self.bits[self.pos:self.pos + count]:
            value = value << 1 | int(b)
        self.pos += count
        return value


def _count_bits(mode: int, version: int) -> int:
    group = 0 if version <= 9 else 1 if version <= 26 else 2
    return {1: (10, 12, 14), 2: (9, 11, 13), 4: (8, 16, 16), 8: (8, 10, 12)}[mode][group]


def parse(data: bytes, version: int) -> str:
    """The text of the data codewords (raises QRError on anything an encoder would not write)."""
    bits = _Bits(data)
    text, charset = [], "utf-8?"
    while bits.left() >= 4:
        mode = bits.take(4)
        if mode == 0:
            break
        if mode == 7:
            charset = _eci(bits)
        elif mode == 3:
            bits.take(16)  # structured append header: this symbol's text stands alone
        elif mode in (5, 9):
            if mode == 9:
                bits.take(8)  # FNC1 application indicator; GS1 data reads as text
        elif mode in (1, 2, 4, 8):
            text.append(_segment(bits, mode, _count_bits(mode, version), charset))
        else:
            raise QRError(f"unknown mode {mode}")
    _check_padding(bits)
    return "".join(text)


def _eci(bits: _Bits) -> str:
    first = bits.take(8)
    if first & 0x80 == 0:
        value = first
    elif first & 0xC0 == 0x80:
        value = (first & 0x3F) << 8 | bits.take(8)
    else:
        value = (first & 0x1F) << 16 | bits.take(16)
    if value not in _ECI_CHARSETS:
        raise QRError(f"unsupported ECI {value}")
    return _ECI_CHARSETS[value]


def _segment(bits: _Bits, mode: int, count_bits: int, charset: str) -> str:
    count = bits.take(count_bits)
    if mode == 1:
        digits = []
        while count >= 3:
            v = bits.take(10)
            if v > 999:
                raise QRError("bad numeric group")
            digits.append(f"{v:03d}")
            count -= 3
        if count:
            v = bits.take(7 if count == 2 else 4)
            if v >= 10**count:
                raise QRError("bad numeric group")
            digits.append(f"{v:0{count}d}")
        return "".join(digits)
    if mode == 2:
        out = []
        while count >= 2:
            v = bits.take(11)
            if v >= 45 * 45:
                raise QRError("bad alphanumeric pair")
            out += [ALNUM[v // 45], ALNUM[v % 45]]
            count -= 2
        if count:
            v = bits.take(6)
            if v >= 45:
                raise QRError("bad alphanumeric character")
            out.append(ALNUM[v])
        return "".join(out)
    if mode == 4:
        raw = bytes(bits.take(8) for _ in range(count))
        return _text(raw, charset)
    sjis = bytearray()
    for _ in range(count):  # kanji: 13 bits per Shift JIS character
        v = bits.take(13)
        v = (v // 0xC0) << 8 | v % 0xC0
        v += 0x8140 if v < 0x1F00 else 0xC140
        sjis += v.to_bytes(2, "big")
    try:
        return sjis.decode("shift_jis")
    except UnicodeDecodeError:
        raise QRError("bad kanji") from None


def _text(raw: bytes, charset: str) -> str:
    if charset != "utf-8?":
        return raw.decode(charset, errors="replace")
    try:  # no ECI: UTF-8 when it is valid UTF-8 (what phones write), else ISO-8859-1 (the default)
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _check_padding(bits: _Bits) -> None:
    """After the terminator: zero bits to the byte boundary, then 0xEC 0x11 alternating."""
    rest = bits.bits[bits.pos:]
    skip = min(-bits.pos % 8, len(rest))
    if rest[:skip].any():
        raise QRError("non-zero bits after the terminator")
    pads = np.packbits(rest[skip:]).tolist() if len(rest) > skip else []
    for i, byte in enumerate(pads):
        if byte != (0xEC, 0x11)[i % 2]:
            raise QRError("bad padding")
