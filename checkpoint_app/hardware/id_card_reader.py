"""A resident ID card reader (SAM protocol, see sam_protocol.py) polled for cards.

Every `poll_interval_s` (ReaderTiming) the driver asks "find card"; when a card is found that has not been
read since it was placed, it selects and reads it once and hands `on_card` an IdDocument
(doc_type 1 and the number, in memory only). The name, address and photo are parsed
only to check the read (or skipped) and then dropped; nothing of the card is logged,
stored or kept after the callback. A card counts as removed when the reader has said
"no card" for `removal_s`: some readers keep finding a card that lies there, others stop
answering for it after the read, and a card at the edge of the field flickers; each way
the card is read once per placement.

Robustness: a reply with a bad checksum, or the reader saying our frame was garbled, is
asked again at once (`retries`); an unanswered command is asked again after
`reply_timeout_s` (`read_timeout_s` for the read, the slow one); a half frame is dropped
when the next command goes out; garbage before a preamble is skipped; a late reply to an
earlier command is recognised by its shape and ignored. A card removed mid-read gives a
failed read and no callback, and is read when it is placed again. The port itself (gone,
back) is SerialLink's, with a backoff up to `max_reconnect_s`.

Device health, as the other drivers: `on_error(message)` once per problem (port gone,
reader silent, SAM fault), `on_ready()` when the reader answers again (and first after
start). `on_rejected(code)` once per placement for a card that cannot be used: read but
"unsupported_card", "bad_number", "inconsistent" or "malformed", or "unreadable" after
MAX_FAILED_READS failed reads while it lay there. All callbacks run on the
driver's threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from checkpoint_app.core.identity import IdDocument
from checkpoint_app.hardware import sam_protocol as sam
from checkpoint_app.hardware.id_card_text import CardError, document_of, parse_text, text_of_reply
from checkpoint_app.hardware.sam_channel import REFUSED, NoAnswer, SamChannel
from checkpoint_app.hardware.serial_link import ErrorCallback

log = logging.getLogger("checkpoint.hardware.id_card_reader")

MAX_FAILED_READS = 3  # then the card is refused as "unreadable" until it is placed again


@dataclass(frozen=True, slots=True)
class ReaderTiming:
    poll_interval_s: float = 0.3
    reply_timeout_s: float = 1.0
    read_timeout_s: float = 3.0  # the 1295-byte reply takes 1.4 s at 9600 baud, the card's RF read about 0.5 s
    retries: int = 2
    removal_s: float = 1.0
    reconnect_s: float = 0.5
    max_reconnect_s: float = 8.0


DEFAULT_TIMING = ReaderTiming()


class IdCardReader:
    def __init__(self, port: str, on_card: Callable[[IdDocument], None], on_error: ErrorCallback, *,
                 on_rejected: Callable[[str], None] | None = None, on_ready: Callable[[], None] | None = None,
                 baudrate: int = 115200, timing: ReaderTiming = DEFAULT_TIMING,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._on_card, self._on_error = on_card, on_error
        self._on_rejected, self._on_ready = on_rejected, on_ready
        self.timing, self._clock = timing, clock
        self._stop = threading.Event()
        self._fresh = threading.Event()  # the port (re)opened: greet the reader, forget the last card
        self._healthy: bool | None = None
        self._held = False  # the card on the reader has been read (or refused) already
        self._failed_reads = 0  # of the card on the reader
        self._absent_since: float | None = None
        self._poller: threading.Thread | None = None
        self._channel = SamChannel(port, baudrate, self._on_link_error, self._fresh.set, retries=timing.retries,
                                   reconnect_s=timing.reconnect_s, max_reconnect_s=timing.max_reconnect_s)
        self._link = self._channel.link

    @property
    def connected(self) -> bool:
        return self._link.connected

    @property
    def retry_in_s(self) -> float:
        return self._link.retry_in_s

    def start(self) -> None:
        if self._poller is not None:
            return
        self._stop.clear()
        self._channel.start()
        self._poller = threading.Thread(target=self._poll, name="id-card-poll", daemon=True)
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        self._channel.interrupt()
        if self._poller is not None:
            self._poller.join(2.0)
            self._poller = None
        self._link.stop()

    # --- the poll thread

    def _poll(self) -> None:
        while not self._stop.wait(self.timing.poll_interval_s):
            if not self._link.connected:
                continue
            try:
                self._poll_once()
            except Exception:  # a bug must not end the polling of a 24/7 device
                log.exception("ID card reader poll failed")

    def _poll_once(self) -> None:
        if self._fresh.is_set():
            self._fresh.clear()
            self._held, self._failed_reads, self._absent_since = False, 0, None
            if self._exchange(sam.SAM_STATUS, self.timing.reply_timeout_s) is None:
                self._fresh.set()  # greet it again next time
                return
        found = self._exchange(sam.FIND_CARD, self.timing.reply_timeout_s)
        if found is None:
            return
        if found.sw3 == sam.NO_CARD:
            self._card_absent()
            return
        self._absent_since = None
        if not self._held:
            self._read_card()

    def _card_absent(self) -> None:
        now = self._clock()
        if self._absent_since is None:
            self._absent_since = now
        if now - self._absent_since >= self.timing.removal_s and (self._held or self._failed_reads):
            self._held, self._failed_reads = False, 0
            log.debug("ID card removed")

    def _read_card(self) -> None:
        data = self._read_base()
        if data is None:
            self._failed_reads += 1
            if self._failed_reads >= MAX_FAILED_READS:
                self._refuse(CardError("unreadable", f"{MAX_FAILED_READS} reads failed"))
            return
        try:
            document = document_of(parse_text(text_of_reply(data)))
        except CardError as exc:
            self._refuse(exc)
            return
        self._held = True
        log.info("ID card read")
        self._on_card(document)

    def _read_base(self) -> bytes | None:
        """The read reply's data, or None when the card went away (or would not be read)."""
        selected = self._exchange(sam.SELECT_CARD, self.timing.reply_timeout_s)
        if selected is None or selected.sw3 != sam.OK:
            _log_failure("select", selected)
            return None
        read = self._exchange(sam.READ_BASE, self.timing.read_timeout_s)
        if read is None or read.sw3 != sam.OK:
            _log_failure("read", read)
            return None
        return read.data

    def _refuse(self, exc: CardError) -> None:
        self._held = True  # once per placement, not at every poll
        log.warning("ID card refused: %s", exc)
        if self._on_rejected is not None:
            self._on_rejected(exc.code)

    def _exchange(self, cmd: tuple[int, int], timeout_s: float) -> sam.Reply | None:
        """The reader's answer, or None when there is none to act on (reported as a fault
        when the reader is silent or refuses; the link reports a lost port)."""
        try:
            reply = self._channel.ask(cmd, timeout_s)
        except NoAnswer as exc:
            self._fault(str(exc))
            return None
        return None if reply is None else self._judge(reply)

    def _judge(self, reply: sam.Reply) -> sam.Reply | None:
        if reply.sw3 in sam.SAM_FAULTS:
            self._fault(f"ID card reader on {self._link.port}: {sam.SAM_FAULTS[reply.sw3]}")
            return None
        if reply.sw3 in REFUSED:
            self._fault(f"ID card reader on {self._link.port} refused a command (status {reply.sw3:02X})")
            return None
        self._working()
        return reply

    # --- health

    def _working(self) -> None:
        if self._healthy is not True:
            self._healthy = True
            log.info("ID card reader on %s ready", self._link.port)
            if self._on_ready is not None:
                self._on_ready()

    def _fault(self, message: str) -> None:
        if self._healthy is not False:
            self._healthy = False
            log.error("%s", message)
            self._on_error(message)

    def _on_link_error(self, message: str) -> None:
        self._healthy = False  # the link has logged it, once
        self._on_error(message)


def _log_failure(step: str, reply: sam.Reply | None) -> None:
    log.info("ID card %s failed (%s): moved away?", step, "no reply" if reply is None else f"status {reply.sw3:02X}")
