"""An application-wide event filter that takes keyboard-wedge scans out of the key stream.

Install it on the QApplication (`app.installEventFilter(wedge)`). Every printable key
and Enter aimed at a widget is held back for one gap (`max_gap_ms`): if another key
follows within the gap, the run goes on; when the run ends, `core.wedge` says whether it
was typed (the held keys are replayed, in order, to the widgets they were aimed at), a
scan (`scanned` is emitted and nothing reaches any widget) or a broken burst (dropped,
logged by length only, since a fragment of a payload is personal data).

A person therefore sees each typed key about `max_gap_ms` late, which nobody notices,
and a 260-character scan never lands in the temperature field wherever the focus is.

Gaps are measured with the keys' own timestamps (from the window system), not the time
the GUI thread gets to them: a GUI stall in the middle of a burst queues the rest of it,
and must neither stretch a gap nor let the hold timer, which Qt may run before the queued
keys, end the burst early. So when the timer fires, queued events are delivered first.

Signals:
    scanned(str): a complete burst ending in Enter; the payload without the Enter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from checkpoint_app.core.wedge import ENTER, BurstClassifier, Outcome, Result

log = logging.getLogger("checkpoint.hardware.wedge")

_MODIFIER_KEYS = frozenset(int(k) for k in (
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_ScrollLock,
))
_ENTER_KEYS = frozenset({int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)})
# Shift is how a scanner types capitals; Keypad is how it types digits on some layouts.
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class WedgeFilter(QObject):
    """Holds fast key runs back, emits `scanned(str)` for bursts, replays typed keys."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, max_gap_ms: int = 50, min_length: int = 8,
                 clock: Callable[[], float] | None = None) -> None:
        """`clock`: for tests; by default each key's window-system timestamp (monotonic time
        for synthetic keys that carry none)."""
        super().__init__(parent)
        self._core = BurstClassifier(max_gap_s=max_gap_ms / 1000, min_length=min_length)
        self._clock = clock
        self._keys_seen = 0
        self._settling = False
        # One entry per held key press: the press, then the releases that came after it.
        self._held: list[tuple[QObject, list[QKeyEvent]]] = []
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max_gap_ms)
        self._timer.timeout.connect(self._on_gap_elapsed)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._replaying or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not isinstance(obj, QWidget):
            return False  # the same key passes the QWindow first; act once, at the widget
        assert isinstance(event, QKeyEvent)
        if event.key() in _MODIFIER_KEYS:
            return False  # the Shift around a scanner's capitals must not end its burst
        char = _candidate(event)
        if kind == QEvent.Type.KeyRelease:
            if char is not None and self._held:
                self._held[-1][1].append(event.clone())
                return True
            return False
        if char is None:
            self._apply(self._core.flush())  # Backspace, Tab, Ctrl+...: a person is typing
            return False
        self._held.append((obj, [event.clone()]))
        self._keys_seen += 1
        for result in self._core.key(char, self._time_of(event)):
            self._apply(result)
        if self._held:
            self._timer.start()
        return True

    def _time_of(self, event: QKeyEvent) -> float:
        if self._clock is not None:
            return self._clock()
        stamp = event.timestamp()
        return stamp / 1000 if stamp else time.monotonic()

    def _on_gap_elapsed(self) -> None:
        if self._settling:
            return  # fired again while delivering queued keys: the outer call decides
        seen = self._keys_seen
        self._settling = True
        try:
            QCoreApplication.processEvents()  # keys queued behind this timer by a GUI stall
        finally:
            self._settling = False
        if self._keys_seen == seen:
            self._apply(self._core.flush())
        elif self._held and not self._timer.isActive():
            self._timer.start()

    def _apply(self, result: Result | None) -> None:
        if result is None:
            return
        taken, self._held = self._held[:result.count], self._held[result.count:]
        if not self._held:
            self._timer.stop()
        if result.outcome is Outcome.SCAN:
            log.info("keyboard-wedge scan of %d characters", len(result.text))
            self.scanned.emit(result.text)
        elif result.outcome is Outcome.DISCARD:
            log.warning("dropped a %d-key burst without Enter (scanner suffix not set to Enter?)", result.count)
        else:
            self._replay(taken)

    def _replay(self, taken: list[tuple[QObject, list[QKeyEvent]]]) -> None:
        self._replaying = True
        try:
            for target, events in taken:
                if not shiboken6.isValid(target):
                    continue  # the widget went away while its key was held
                for ev in events:
                    QCoreApplication.sendEvent(target, ev)
        finally:
            self._replaying = False


def _candidate(event: QKeyEvent) -> str | None:
    """The character this key could contribute to a scan, or None if it cannot be one."""
    if event.modifiers() & ~_TYPING_MODIFIERS:
        return None
    if event.key() in _ENTER_KEYS or event.text() in ("\r", "\n"):
        return ENTER  # some scanners end with a Linefeed key (LF suffix) rather than Return
    text = event.text()
    if len(text) == 1 and text.isprintable():
        return text
    return None
