"""A desktop resident ID card reader (SAM protocol) on a pseudo-terminal, for tests.

Written from the protocol description, not from the driver: it frames and checks bytes
itself, so a framing mistake in the driver shows up as a refused command here. The code
under test opens `path`, a symlink to the pty's slave that disappears on `unplug()` and
comes back on `replug()`, as a USB-serial adapter's /dev/ttyUSB0 does.

Knobs (set them while it runs): `card` (None: nothing on the reader), `corrupt_replies`
(the next N replies go out with a wrong checksum), `refuse_checksum` (the next N commands
are answered "your checksum was wrong"), `remove_on_read` (the card leaves during the
read: status 41, and it is gone), `truncate_read` (the read reply stops half-way and the
card is gone), `fail_reads` (the card stays but N reads fail), `delay_s` (every reply),
`stall_next_s` (the next reply only), `chunk` (replies dribble out in pieces of this
size), `garbage` (sent before every reply), `silent`, `status` (answer every command
with this SW3, e.g. 0x60), `forgets_read_card` (after a read, "find" says no card until
the card is placed again: some readers do this), `stale_before` ({command: frame}: send
that frame first when the command next arrives, as a late reply to an earlier command
would come).
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from dataclasses import dataclass, replace
from pathlib import Path

PREAMBLE = bytes.fromhex("AAAAAA9669")
FIND, SELECT, READ, STATUS = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01), (0x11, 0xFF)
PHOTO = (b"WLT" + bytes(range(256)) * 4)[:1024]  # stands in for the compressed photo


@dataclass(frozen=True)
class Card:
    id_number: str
    name: str = "王小廉"
    sex: str = ""  # empty: from the number
    nation: str = "01"
    birth: str = ""  # empty: from the number
    address: str = "山西省太原市小店区平阳路78号"
    office: str = "太原市公安局小店分局"
    valid_from: str = "20150101"
    valid_to: str = "20350101"
    card_type: str = " "

    def text(self) -> bytes:
        sex = self.sex or ("1" if int(self.id_number[16]) % 2 else "2")
        fields = [(self.name, 15), (sex, 1), (self.nation, 2), (self.birth or self.id_number[6:14], 8),
                  (self.address, 35), (self.id_number, 18), (self.office, 15), (self.valid_from, 8),
                  (self.valid_to, 8), (" " * 14 + self.card_type, 18)]  # the type at bytes 248-249
        return "".join(value.ljust(width)[:width] for value, width in fields).encode("utf-16-le")

    def with_(self, **changes: str) -> Card:
        return replace(self, **changes)


def frame(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    check = 0
    for b in length + body:
        check ^= b
    return PREAMBLE + length + body + bytes([check])


class SimReader:
    def __init__(self, path: Path, card: Card | None = None) -> None:
        self.path = path
        self.card = card
        self.corrupt_replies = self.refuse_checksum = self.fail_reads = 0
        self.remove_on_read = self.truncate_read = self.silent = self.forgets_read_card = False
        self.delay_s = self.stall_next_s = 0.0
        self.chunk: int | None = None
        self.garbage = b""
        self.status: int | None = None
        self.stale_before: dict[tuple[int, int], bytes] = {}
        self.commands: list[tuple[int, int]] = []
        self.reads = 0  # successful base-text reads
        self._forgotten: Card | None = None
        self._unplugged = threading.Event()
        self._thread: threading.Thread | None = None
        self.replug()

    @property
    def plugged(self) -> bool:
        return not self._unplugged.is_set()

    def replug(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # holding the slave open keeps the master from reading EIO
        self.path.unlink(missing_ok=True)
        self.path.symlink_to(os.ttyname(self._slave))
        self._unplugged.clear()
        self._thread = threading.Thread(target=self._serve, name="sim-id-reader", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        if not self.plugged:
            return
        self._unplugged.set()
        if self._thread is not None:
            self._thread.join(2.0)  # before the fds close: their numbers are reused at once
        os.close(self.master)
        os.close(self._slave)
        self.path.unlink(missing_ok=True)

    def place(self, card: Card | None) -> None:
        self._forgotten = None
        self.card = card

    def _serve(self) -> None:
        buf = b""
        while not self._unplugged.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                buf += os.read(self.master, 4096)
            except OSError:
                return
            buf = self._handle(buf)

    def _handle(self, buf: bytes) -> bytes:
        """Answers every whole command in `buf`; returns what is left of it."""
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                return buf[-4:]  # perhaps the start of a preamble
            if len(buf) < start + 7:
                return buf[start:]
            end = start + 7 + int.from_bytes(buf[start + 5:start + 7], "big")
            if len(buf) < end:
                return buf[start:]
            command, buf = buf[start:end], buf[end:]
            self._answer(command)

    def _answer(self, command: bytes) -> None:
        check = 0
        for b in command[5:-1]:
            check ^= b
        cmd = (command[7], command[8])
        self.commands.append(cmd)
        if self.silent:
            return
        if cmd in self.stale_before:
            self._send(self.stale_before.pop(cmd))
        if check != command[-1] or self.refuse_checksum:
            self.refuse_checksum = max(0, self.refuse_checksum - 1)
            self._send(frame(0x10))
        elif self.status is not None:
            self._send(frame(self.status))
        else:
            self._send(self._reply(cmd))

    def _reply(self, cmd: tuple[int, int]) -> bytes:
        card = self.card if self.card is not self._forgotten else None
        if cmd == STATUS:
            return frame(0x90)
        if cmd == FIND:
            return frame(0x9F, bytes(4)) if card else frame(0x80)
        if cmd == SELECT:
            return frame(0x90, bytes(8)) if card else frame(0x81)
        if cmd != READ:
            return frame(0x21)
        return self._read(card)

    def _read(self, card: Card | None) -> bytes:
        if card is None:
            return frame(0x41)
        if self.remove_on_read or self.fail_reads:
            self.fail_reads = max(0, self.fail_reads - 1)
            self.card = None if self.remove_on_read else self.card
            return frame(0x41)
        whole = frame(0x90, (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + card.text() + PHOTO)
        if self.truncate_read:
            self.card = None
            return whole[:len(whole) // 2]
        self.reads += 1
        if self.forgets_read_card:
            self._forgotten = card
        return whole

    def _send(self, data: bytes) -> None:
        stall, self.stall_next_s = self.stall_next_s, 0.0
        if self.delay_s + stall and not self._wait(self.delay_s + stall):
            return
        if self.corrupt_replies:
            self.corrupt_replies -= 1
            data = data[:-1] + bytes([data[-1] ^ 0x5A])
        data = self.garbage + data
        size = self.chunk or len(data)
        for at in range(0, len(data), size):
            with contextlib.suppress(OSError):
                os.write(self.master, data[at:at + size])
            if self.chunk and not self._wait(0.002):
                return

    def _wait(self, seconds: float) -> bool:
        """Sleep unless unplugged meanwhile (then False: say nothing more)."""
        return not self._unplugged.wait(seconds)
