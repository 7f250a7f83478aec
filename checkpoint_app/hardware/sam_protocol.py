"""The serial protocol of resident ID card readers built on the Ministry of Public Security's
SAM module ("SAM_V", the GA 467 reader family: 华视 CVR-100, 神思 SS628, 精伦 iDR210 and
the many desktop readers with a USB-serial bridge). The card's text: id_card_text.py.

Frames (UART, 115200 8N1 by default), all lengths big-endian:

    to the reader    AA AA AA 96 69 | LEN1 LEN2 | CMD PARA | data   | CHK
    from the reader  AA AA AA 96 69 | LEN1 LEN2 | SW1 SW2 SW3 | data | CHK

The preamble's AA AA AA synchronises, 96 69 starts the frame. LEN counts everything after
itself: CMD+PARA+data+CHK (commands), SW1+SW2+SW3+data+CHK (replies). CHK is the XOR of
every byte after the preamble up to CHK, so LEN1 and LEN2 are covered. SW1 SW2 pass on
the card's APDU status, SW3 is the reader's own (the one that decides):

    90 success   9F card found (find only)   80 no card   81 select failed
    10 our checksum was wrong   11 our length was wrong   21 bad command   24 unknown error
    31 card refused the reader  32 reader refused the card  33 information check failed
    40 not an ID card   41 reading the card failed   47 no random number from the card
    60 SAM self-test failed   66 SAM not authorised   91 no such information on the card

Commands: reset SAM 10 FF, SAM status 11 FF, find card 20 01, select card 20 02, read
base text and photo 30 01. Find answers 9F with 4 bytes (the card's management number
area, zeros), select answers 90 with 8 bytes, read answers 90 with

    text length (2) | photo length (2) | text (256) | photo (1024, WLT, discarded here)

e.g. `AA AA AA 96 69 05 08 00 00 90 01 00 04 00 ...` (LEN 0x0508 = 1288 = 3+2+2+256+1024+1).

Sources (read for the format; no code taken):
- 公安部身份证阅读器模块SAM通讯协议, as reproduced at https://blog.csdn.net/zhangbijun1230/article/details/85242964
  (frame layout, what LEN and CHK cover, the command and status tables, 115200 baud)
- 身份证阅读器通信协议, https://softs.im/身份证阅读器通信协议 (the same tables; error frames such as
  `AA AA AA 96 69 00 04 00 00 41 45`)
- 东信 "身份证阅读器SAM模块身份证信息解析说明", http://eastcoms.com/service/downdrive/533.html
  (the read reply header `AA AA AA 96 69 05 08 00 00 90 01 00 04 00`)
- public Android/Qt reader programs (found by searching for the byte strings) agreeing on
  `AA AA AA 96 69 00 03 20 01 22` → `... 00 08 00 00 9F 00 00 00 00 97` and the select reply
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
SAM_STATUS = (0x11, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)

OK, FOUND, NO_CARD, SELECT_FAILED = 0x90, 0x9F, 0x80, 0x81
CHECKSUM_REFUSED, LENGTH_REFUSED = 0x10, 0x11
CARD_STATUSES = frozenset({0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x91})  # the card, not the reader
SAM_FAULTS = {0x60: "SAM self-test failed", 0x66: "SAM not authorised"}

MIN_LEN = 4  # SW1 SW2 SW3 CHK
# The longest reply in the family is text, photo and two fingerprints (2321 bytes in all).
# A LEN beyond this is noise that happens to follow AA AA AA 96 69, not a frame to wait for.
MAX_LEN = 4096


def xor(data: bytes) -> int:
    result = 0
    for b in data:
        result ^= b
    return result


def command(cmd: tuple[int, int], data: bytes = b"") -> bytes:
    body = bytes(cmd) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


@dataclass(frozen=True, slots=True)
class Reply:
    """One reader reply. `data` can hold a person's details: its repr shows the length only."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    def __repr__(self) -> str:
        return f"Reply(sw={self.sw1:02X} {self.sw2:02X} {self.sw3:02X}, {len(self.data)} data bytes)"


class Noise(StrEnum):
    GARBAGE = "garbage"  # bytes that are not a frame (line noise, a reader's start-up banner)
    LENGTH = "length"  # a preamble followed by an impossible length
    CHECKSUM = "checksum"  # a whole frame whose checksum is wrong: ask again at once


class ReplyParser:
    """Bytes in, replies out; resynchronises on the preamble after garbage or a bad frame.

    `feed` returns the complete replies and what it threw away, as (kind, one line); the
    line never quotes data bytes (a reply's data is a person's details). A half frame
    waits for the rest; `clear` drops it (the caller gave up waiting)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def clear(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> tuple[list[Reply], list[tuple[Noise, str]]]:
        replies: list[Reply] = []
        noise: list[tuple[Noise, str]] = []
        self._buf += data
        while self._buf:
            start = self._buf.find(PREAMBLE)
            if start != 0:
                # without a preamble, keep the tail that may be the start of one
                dropped = len(self._buf) - len(PREAMBLE) + 1 if start < 0 else start
                if dropped <= 0:
                    break
                noise.append((Noise.GARBAGE, f"dropped {dropped} bytes before a frame"))
                del self._buf[:dropped]
                continue
            if len(self._buf) < len(PREAMBLE) + 2:
                break
            length = int.from_bytes(self._buf[5:7], "big")
            if not MIN_LEN <= length <= MAX_LEN:
                noise.append((Noise.LENGTH, f"frame length {length} out of range"))
                del self._buf[:1]
                continue
            end = len(PREAMBLE) + 2 + length
            if len(self._buf) < end:
                break
            frame = bytes(self._buf[:end])
            if xor(frame[5:-1]) != frame[-1]:
                noise.append((Noise.CHECKSUM, f"bad checksum in a {length}-byte frame (status {frame[7:10].hex(' ')})"))
                del self._buf[:1]  # that preamble may have been data: look again from the next byte
                continue
            del self._buf[:end]
            replies.append(Reply(frame[7], frame[8], frame[9], frame[10:-1]))
        return replies, noise
