"""The ID card reader driver against a simulated SAM reader on a pseudo-terminal."""

from __future__ import annotations

import itertools
import logging
import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from checkpoint_app.core.identity import IdDocument, mask
from checkpoint_app.hardware.id_card_reader import MAX_FAILED_READS, IdCardReader, ReaderTiming
from tests.support.id_card_sim import READ, SELECT, Card, SimReader, frame
from tests.support.waiting import wait_for

NUMBER = "11010519491231002X"
OTHER = "440524188001010014"
FAST = ReaderTiming(poll_interval_s=0.02, reply_timeout_s=0.2, read_timeout_s=0.4, removal_s=0.15,
                    reconnect_s=0.02, max_reconnect_s=0.1)


class Inbox:
    """The driver's callbacks (on its threads), for the test to wait on."""

    def __init__(self) -> None:
        self.cards: queue.Queue[IdDocument] = queue.Queue()
        self.rejected: queue.Queue[str] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.ready: queue.Queue[bool] = queue.Queue()

    def card(self, timeout: float = 5.0) -> IdDocument:
        return self.cards.get(timeout=timeout)

    def quiet(self) -> bool:
        return self.cards.empty() and self.rejected.empty()


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimReader]:
    device = SimReader(tmp_path / "ttyUSB-idreader")
    yield device
    device.unplug()


@pytest.fixture
def start(sim: SimReader) -> Iterator[Callable[..., tuple[IdCardReader, Inbox]]]:
    started: list[IdCardReader] = []

    def make(**options: float) -> tuple[IdCardReader, Inbox]:
        inbox = Inbox()
        reader = IdCardReader(str(sim.path), inbox.cards.put, inbox.errors.put, on_rejected=inbox.rejected.put,
                              on_ready=lambda: inbox.ready.put(True), timing=replace(FAST, **options))
        reader.start()
        started.append(reader)
        return reader, inbox

    yield make
    for reader in started:
        reader.stop()


def polls(sim: SimReader, n: int) -> None:
    """Let the driver poll n more times."""
    target = len(sim.commands) + n
    wait_for(lambda: len(sim.commands) >= target)


def test_a_placed_card_is_read_once_while_it_lies_there(sim: SimReader, start) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    polls(sim, 5)
    assert inbox.quiet()  # no card, nothing to say
    sim.place(Card(NUMBER))
    assert inbox.card() == IdDocument(1, NUMBER)
    polls(sim, 20)
    assert inbox.quiet() and sim.reads == 1
    sim.place(None)
    polls(sim, 20)  # longer than removal_s
    sim.place(Card(NUMBER))  # the same person again, e.g. after "cannot look up"
    assert inbox.card() == IdDocument(1, NUMBER)
    sim.place(None)
    polls(sim, 20)
    sim.place(Card(OTHER, name="张三"))
    assert inbox.card().number == OTHER
    assert inbox.errors.empty()


def test_a_reader_that_stops_finding_a_read_card_reads_it_once_too(sim: SimReader, start) -> None:
    sim.forgets_read_card = True
    _, inbox = start()
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    polls(sim, 30)
    assert inbox.quiet() and sim.reads == 1


def test_a_flickering_card_is_not_a_new_placement(sim: SimReader, start) -> None:
    _, inbox = start(removal_s=5.0)
    card = Card(NUMBER)
    sim.place(card)
    assert inbox.card().number == NUMBER
    for _ in range(3):  # at the edge of the field: found, not found, found
        sim.card = None
        polls(sim, 2)
        sim.card = card
        polls(sim, 2)
    assert inbox.quiet() and sim.reads == 1


def test_bad_checksums_both_ways_are_asked_again(sim: SimReader, start) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    sim.corrupt_replies = 2  # our reply arrives garbled
    sim.refuse_checksum = 2  # the reader says our command arrived garbled
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    assert sim.corrupt_replies == 0 and sim.refuse_checksum == 0
    sim.place(None)
    polls(sim, 20)
    sim.corrupt_replies = 1
    sim.place(Card(OTHER))
    assert inbox.card().number == OTHER  # a garbled read reply is read again
    assert inbox.errors.empty()


def test_a_reader_that_only_garbles_is_reported_once_and_recovers(sim: SimReader, start,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    sim.corrupt_replies = 10**6  # a wrong baud rate or a broken cable
    assert "does not answer" in inbox.errors.get(timeout=5)
    polls(sim, 10)
    assert inbox.errors.empty()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) <= 3, "a reader that only garbles must not fill the log"
    sim.corrupt_replies = 0
    assert inbox.ready.get(timeout=5)
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER


def test_a_card_removed_mid_read_gives_nothing_and_is_read_when_placed_again(sim: SimReader, start) -> None:
    _, inbox = start()
    sim.remove_on_read = True
    sim.place(Card(NUMBER))
    wait_for(lambda: sim.card is None)
    polls(sim, 20)
    assert inbox.quiet()
    sim.remove_on_read = False
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    assert inbox.errors.empty() and inbox.quiet()


def test_a_read_reply_cut_off_half_way(sim: SimReader, start) -> None:
    _, inbox = start()
    sim.truncate_read = True
    sim.place(Card(NUMBER))
    wait_for(lambda: sim.card is None)
    polls(sim, 10)
    assert inbox.quiet()
    sim.truncate_read = False
    sim.place(Card(OTHER))
    assert inbox.card().number == OTHER


def test_a_card_that_will_not_read_is_refused_once(sim: SimReader, start) -> None:
    _, inbox = start()
    sim.fail_reads = 10**6  # a damaged chip: found, selected, never read
    sim.place(Card(NUMBER))
    assert inbox.rejected.get(timeout=5) == "unreadable"
    assert sim.commands.count(READ) == MAX_FAILED_READS
    polls(sim, 20)
    assert inbox.quiet() and sim.commands.count(READ) == MAX_FAILED_READS


def test_a_foreigners_card_is_refused_once_per_placement(sim: SimReader, start) -> None:
    _, inbox = start()
    sim.place(Card(NUMBER, card_type="I"))
    assert inbox.rejected.get(timeout=5) == "unsupported_card"
    polls(sim, 20)
    assert inbox.quiet()


def test_slow_replies_and_garbage_and_dribbled_frames(sim: SimReader, start) -> None:
    _, inbox = start()
    sim.delay_s = 0.05
    sim.chunk = 64  # about a byte a millisecond: 9600 baud
    sim.garbage = b"\x00\xaa\x55noise\xaa\xaa"
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    assert inbox.errors.empty()


def test_a_late_reply_is_not_taken_for_the_next_one(sim: SimReader, start) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    # a slow reader's answers to an earlier find and select, arriving after the next command went out
    sim.stale_before = {SELECT: frame(0x9F, bytes(4)), READ: frame(0x90, bytes(8))}
    sim.place(Card(NUMBER))
    assert inbox.card(timeout=5).number == NUMBER
    assert not sim.stale_before and sim.commands.count(SELECT) == 1 and sim.reads == 1
    assert inbox.quiet() and inbox.errors.empty()


def test_a_slow_reader(sim: SimReader, start) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    sim.stall_next_s = 0.3  # longer than reply_timeout_s: asked again, and the late answer serves
    sim.place(Card(NUMBER))
    assert inbox.card(timeout=5).number == NUMBER
    assert sim.reads == 1 and inbox.errors.empty()


def test_stop_is_prompt_while_a_reply_is_awaited(sim: SimReader, start) -> None:
    reader, _ = start(read_timeout_s=30.0, reply_timeout_s=30.0)
    sim.silent = True
    polls(sim, 1)
    began = time.monotonic()
    reader.stop()
    assert time.monotonic() - began < 1.5


def test_a_sam_fault_is_a_device_problem(sim: SimReader, start) -> None:
    _, inbox = start()
    assert inbox.ready.get(timeout=5)
    sim.status = 0x60
    assert "self-test" in inbox.errors.get(timeout=5)
    sim.status = None
    assert inbox.ready.get(timeout=5)


def test_unplugged_and_plugged_back(sim: SimReader, start) -> None:
    reader, inbox = start()
    assert inbox.ready.get(timeout=5)
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    sim.unplug()
    message = inbox.errors.get(timeout=5)
    assert "lost" in message or "cannot open" in message
    wait_for(lambda: reader.retry_in_s == FAST.max_reconnect_s)  # backing off
    sim.replug()
    assert inbox.ready.get(timeout=5)
    assert inbox.card().number == NUMBER  # a new connection reads the card that lies there
    assert reader.retry_in_s == FAST.reconnect_s
    assert inbox.errors.empty()


def test_a_missing_port_backs_off_and_is_reported_once(tmp_path: Path, monkeypatch) -> None:
    import serial

    attempts: list[float] = []
    real = serial.Serial

    def counting(*args, **kwargs):
        attempts.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(serial, "Serial", counting)
    inbox = Inbox()
    path = tmp_path / "ttyUSB-later"
    reader = IdCardReader(str(path), inbox.cards.put, inbox.errors.put, timing=replace(FAST, max_reconnect_s=0.16))
    reader.start()
    try:
        assert "cannot open id_card_reader port" in inbox.errors.get(timeout=5)
        wait_for(lambda: len(attempts) >= 6)
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        assert gaps[-1] >= 0.15 and gaps[0] < gaps[-1] / 2  # waits of 0.02, 0.04, 0.08, 0.16, 0.16...
        assert inbox.errors.empty()
        device = SimReader(path, Card(NUMBER))
        try:
            assert inbox.card().number == NUMBER
        finally:
            device.unplug()
    finally:
        reader.stop()


def test_the_number_is_in_no_log_record(sim: SimReader, start, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, inbox = start()
    sim.corrupt_replies = 1
    sim.place(Card(NUMBER))
    assert inbox.card().number == NUMBER
    sim.place(None)
    polls(sim, 20)
    sim.place(Card(NUMBER, card_type="I"))  # refused, with its reason logged
    assert inbox.rejected.get(timeout=5)
    sim.place(None)
    polls(sim, 20)
    sim.place(Card(NUMBER, birth="19500101"))
    assert inbox.rejected.get(timeout=5) == "inconsistent"
    records = [r for r in caplog.records if r.name.startswith("checkpoint")]
    assert any("ID card read" in r.getMessage() for r in records)
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records)
    forms = [NUMBER, NUMBER.encode("utf-16-le").hex(), NUMBER[6:14], mask(NUMBER), "王小廉", "小店区"]
    assert not [f for f in forms if f in text or f.upper() in text.upper().replace(" ", "")]
