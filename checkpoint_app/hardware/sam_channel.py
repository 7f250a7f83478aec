"""Commands to a SAM reader and their replies, over one SerialLink.

`ask(cmd)` sends a command and waits for its answer. A reply with a bad checksum, or the
reader saying our frame was garbled (status 10 or 11), is asked again at once; silence
is asked again after the timeout; after `retries` more tries `ask` raises NoAnswer. A
half frame is dropped when the next command goes out, garbage before a preamble is
skipped by the parser, and a late reply to an earlier command (a slow reader answering
after we gave up) is recognised by its shape and ignored rather than taken for the
answer to the current one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from checkpoint_app.hardware import sam_protocol as sam
from checkpoint_app.hardware.serial_link import ErrorCallback, SerialLink

log = logging.getLogger("checkpoint.hardware.id_card_reader")

_READ_MIN = 4 + 256  # a read reply's data holds at least the two lengths and the text
REFUSED = frozenset({0x21, 0x24})  # bad command, unknown error: the reader's, for any command
_ANY_COMMAND = frozenset({sam.CHECKSUM_REFUSED, sam.LENGTH_REFUSED, *REFUSED, *sam.SAM_FAULTS})
# What each command may be answered with; anything else is a late reply to an earlier one.
_ANSWERS: dict[tuple[int, int], Callable[[sam.Reply], bool]] = {
    sam.SAM_STATUS: lambda r: r.sw3 == sam.OK and len(r.data) < _READ_MIN,
    sam.FIND_CARD: lambda r: r.sw3 in (sam.FOUND, sam.NO_CARD),
    sam.SELECT_CARD: lambda r: (r.sw3 == sam.OK and len(r.data) < _READ_MIN)
    or r.sw3 in (sam.SELECT_FAILED, sam.NO_CARD),
    sam.READ_BASE: lambda r: (r.sw3 == sam.OK and len(r.data) >= _READ_MIN)
    or r.sw3 in sam.CARD_STATUSES or r.sw3 == sam.NO_CARD,
}
_ASK_AGAIN = frozenset({sam.CHECKSUM_REFUSED, sam.LENGTH_REFUSED})
_GARBLED = "garbled"


class NoAnswer(Exception):
    """The reader gave no usable answer to a command, however often asked."""


class SamChannel:
    def __init__(self, port: str, baudrate: int, on_link_error: ErrorCallback, on_connected: Callable[[], None], *,
                 retries: int, reconnect_s: float, max_reconnect_s: float) -> None:
        self.retries = retries
        self._parser = sam.ReplyParser()
        self._inbox: list[sam.Reply] = []
        self._garbled = 0
        self._cond = threading.Condition()  # guards parser, inbox and garbled between the two threads
        self._stopping = False
        self._quiet_noise = False  # noise logged once, then at debug until a good reply: a wrong baud rate is all noise
        self.link = SerialLink(port, baudrate, self._on_data, on_link_error, name="id_card_reader",
                               reconnect_s=reconnect_s, max_reconnect_s=max_reconnect_s, on_connected=on_connected)

    def start(self) -> None:
        self._stopping = False
        self.link.start()

    def interrupt(self) -> None:
        """Wake a waiting `ask` for shutdown (it returns None)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def ask(self, cmd: tuple[int, int], timeout_s: float) -> sam.Reply | None:
        """The answer to `cmd`; None if the port is gone (the link reports it) or on shutdown."""
        for _ in range(1 + self.retries):
            with self._cond:
                self._parser.clear()
                self._inbox.clear()
                self._garbled = 0
            try:
                self.link.write(sam.command(cmd))
            except OSError:
                return None
            reply = self._await(cmd, timeout_s)
            if self._stopping:
                return None
            if isinstance(reply, sam.Reply) and reply.sw3 not in _ASK_AGAIN:
                self._quiet_noise = False
                return reply
            log.debug("ID card reader: %s to %02X %02X; asking again", reply or "no reply", *cmd)
        raise NoAnswer(f"ID card reader on {self.link.port} does not answer (command {cmd[0]:02X} {cmd[1]:02X})")

    def _await(self, cmd: tuple[int, int], timeout_s: float) -> sam.Reply | str | None:
        deadline = time.monotonic() + timeout_s
        fits = _ANSWERS[cmd]
        with self._cond:
            while not self._stopping:
                while self._inbox:
                    reply = self._inbox.pop(0)
                    if fits(reply) or reply.sw3 in _ANY_COMMAND:
                        return reply
                    log.debug("ID card reader: ignored %r while waiting for %02X %02X", reply, *cmd)
                if self._garbled:
                    return _GARBLED
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
        return None

    def _on_data(self, chunk: bytes) -> None:  # on the link's reader thread
        with self._cond:
            replies, noise = self._parser.feed(chunk)
            self._inbox.extend(replies)
            for kind, message in noise:
                log.log(logging.DEBUG if self._quiet_noise else logging.WARNING, "ID card reader: %s", message)
                self._quiet_noise = True
                if kind is sam.Noise.CHECKSUM:
                    self._garbled += 1
            self._cond.notify_all()
