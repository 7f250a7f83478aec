"""Qt glue for the entrance hardware: thermometer, serial scanner, ID card reader, gate.

The serial drivers in checkpoint_app.hardware are Qt-free and own their reader threads
(a blocking read per port; the same drivers serve the command line and the unit tests
without Qt), so their workers live in the GUI thread and only turn driver callbacks into
signals. A signal emitted on a driver thread reaches slots in the GUI thread queued,
carrying a float, a str or a frozen value only. Call `stop()` in the shutdown path: it
joins the driver threads, so no signal is emitted by a deleted object. The gate is
blocking Qt-side work and takes the window's one road: a worker in its own WorkerThread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from checkpoint_app.hardware.gate import Gate, GateError
from checkpoint_app.hardware.id_card_reader import DEFAULT_TIMING, IdCardReader, ReaderTiming
from checkpoint_app.hardware.serial_scanner import SerialScanner
from checkpoint_app.hardware.thermometer import Thermometer
from checkpoint_app.workers.threads import WorkerThread

log = logging.getLogger("checkpoint.hardware")


class ThermometerWorker(QObject):
    """Signals: temperature_read(float) for each new reading; failed(str) once per problem."""

    temperature_read = Signal(float)
    failed = Signal(str)

    def __init__(self, port: str, protocol: str, *, baudrate: int = 9600, poll_interval_s: float = 0.5,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._driver = Thermometer(port, protocol, self.temperature_read.emit, self.failed.emit,
                                   baudrate=baudrate, poll_interval_s=poll_interval_s)

    @Slot()
    def start(self) -> None:
        self._driver.start()

    @Slot()
    def stop(self) -> None:
        self._driver.stop()

    @Slot()
    def measure(self) -> None:
        self._driver.measure()


class SerialScannerWorker(QObject):
    """Signals: scanned(str) for each line the scanner sends; failed(str) once per problem."""

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, port: str, *, baudrate: int = 9600, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._driver = SerialScanner(port, self.scanned.emit, self.failed.emit, baudrate=baudrate)

    @Slot()
    def start(self) -> None:
        self._driver.start()

    @Slot()
    def stop(self) -> None:
        self._driver.stop()


class IdCardReaderWorker(QObject):
    """A resident ID card reader (SAM protocol). Signals: card_read(IdDocument) once per card
    placed: doc_type 1 and the number, for a lookup, in memory only (its repr is masked; show
    `core.identity.mask` at most); card_rejected(str) a code for a card that cannot be used
    ("unsupported_card", "bad_number", "inconsistent", "malformed", "unreadable");
    failed(str) once per device problem; ready() when the reader answers, first and again."""

    card_read = Signal(object)
    card_rejected = Signal(str)
    failed = Signal(str)
    ready = Signal()

    def __init__(self, port: str, *, baudrate: int = 115200, timing: ReaderTiming = DEFAULT_TIMING,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._driver = IdCardReader(port, self.card_read.emit, self.failed.emit, on_rejected=self.card_rejected.emit,
                                    on_ready=self.ready.emit, baudrate=baudrate, timing=timing)

    @Slot()
    def start(self) -> None:
        self._driver.start()

    @Slot()
    def stop(self) -> None:
        self._driver.stop()


class _GatePulser(QObject):
    """Lives in the gate thread: carries out one opening after another. Signals: opened(),
    failed(str)."""

    opened = Signal()
    failed = Signal(str)

    def __init__(self, gate: Gate, current_visit: Callable[[], int]) -> None:
        super().__init__()
        self._gate = gate
        self._current_visit = current_visit
        self._closing = False

    def interrupt(self) -> None:
        """The shutdown: openings still queued are dropped (their visits have ended with the
        window); the one in flight finishes within the gate's own timeout."""
        self._closing = True

    @Slot()
    def start(self) -> None:
        pass

    @Slot(int)
    def open_for(self, visit: int) -> None:
        if self._closing:
            log.warning("gate opening dropped: the checkpoint is shutting down")
            return
        if visit != self._current_visit():
            log.error("gate opening dropped: its visit left the screen before the gate was free")
            self.failed.emit("gate opening dropped: the gate was busy until the visit had ended")
            return
        try:
            self._gate.open_gate()
        except GateError as exc:
            log.error("%s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a driver bug: keep the thread for the next person
            log.exception("gate driver failed unexpectedly")
            self.failed.emit(f"gate driver error: {type(exc).__name__}")
        else:
            self.opened.emit()

    @Slot()
    def stop(self) -> None:
        self._gate.close()


class GateWorker(QObject):
    """Opens the gate on its own thread (a WorkerThread), one request after another.

    Signals: opened() after each successful pulse; failed(str) with the reason, for the
    guard to open by hand. Requests made while the gate is busy (a controller slow to
    answer) wait their turn, but only while their visit is on screen: `withdraw()` drops
    those not yet carried out, since an opening made after its person's screen has gone
    lets in whoever stands at the gate then -- perhaps the red code now on screen. So this
    object stays in the GUI thread: a request takes its visit's number here, when it is
    made, and a withdrawal counts at once, not behind the openings queued in the gate thread.
    """

    opened = Signal()
    failed = Signal(str)
    _requested = Signal(int)

    def __init__(self, gate: Gate, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visit = 0  # bumped by withdraw(); read on the gate thread (an int: atomic)
        self._pulser = _GatePulser(gate, lambda: self._visit)
        self._requested.connect(self._pulser.open_for)  # queued into the gate thread
        self._pulser.opened.connect(self.opened)  # queued home
        self._pulser.failed.connect(self.failed)
        self._thread = WorkerThread(self._pulser, "gate")

    @Slot()
    def start(self) -> None:
        if not self._thread.thread.isRunning():
            self._thread.start()

    @Slot()
    def open_gate(self) -> None:
        self._requested.emit(self._visit)

    @Slot()
    def withdraw(self) -> None:
        """The allowed visit left the screen: its opening, if still waiting, is dropped."""
        self._visit += 1

    @Slot()
    def stop(self) -> None:
        self._thread.stop()
