"""Glue between the Qt-free VisitMachine, the store thread and the window: feeds events
in, sends records out, shows a final decision only once its record is durable, and
returns to scanning after the outcome's time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from checkpoint_app.core.checkpoint import TemperatureOutOfRange
from checkpoint_app.core.events import Station
from checkpoint_app.core.outcomes import STAFF_OUTCOMES, Outcome
from checkpoint_app.core.settings import Settings
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.core.visit import (
    Phase,
    Step,
    VisitMachine,
    manual_entry_event,
    parse_keyed_temperature,
)
from checkpoint_app.gui.main_window import MainWindow
from checkpoint_app.gui.sound import SoundPlayer
from checkpoint_app.gui.style import LOOKS, OUT_OF_SERVICE
from checkpoint_app.workers.values import ScanResult

log = logging.getLogger("checkpoint.visit")
REPEAT_GUARD_S = 4.0  # the same code still held up right after its visit ended is not a new visit


class VisitController(QObject):
    """Signals: record_requested(ScanEvent): to the store thread;
    decision_shown(float t_frame, float t_shown): a decision reached the screen (benchmark);
    entry_allowed(): a recorded decision or manual entry that lets the person in is shown."""

    record_requested = Signal(object)
    decision_shown = Signal(float, float)
    entry_allowed = Signal()  # a final "allow" is on screen: the gate may open

    def __init__(self, machine: VisitMachine, window: MainWindow, sound: SoundPlayer,
                 settings: Callable[[], Settings], forget_codes: Callable[[], None],
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.machine, self.window, self.sound = machine, window, sound
        self._settings, self._forget_codes, self._clock = settings, forget_codes, clock
        self.policy: Policy | None = None
        self._t_frame = 0.0
        self._last_text, self._last_end = "", 0.0
        self._text = ""
        self._deadline: float | None = None
        self._failed = False
        self._return = QTimer(self, singleShot=True)
        self._return.timeout.connect(self._on_timed_out)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._render)
        w = window
        w.prompt.temperature_entered.connect(self._on_temperature_entered)
        w.prompt.mask_marked.connect(self._on_mask_marked)
        w.scan.mask_marked.connect(self._on_mask_marked)
        w.prompt.cancelled.connect(self._on_dismissed)
        w.result.dismissed.connect(self._on_dismissed)

    def stop(self) -> None:
        self._return.stop()
        self._tick.stop()

    # -- inputs --------------------------------------------------------------------------
    @Slot(object)
    def _on_scanned(self, r: ScanResult) -> None:
        now = self._clock()
        if self._busy() or (r.text == self._text and self.machine.state.phase is not Phase.SCANNING):
            return  # the guard is busy with this visit, or the same phone is still held up
        if r.text == self._last_text and now - self._last_end < REPEAT_GUARD_S:
            return
        self.policy = r.ctx.policy
        self._t_frame, self._text, self._failed = r.t_frame, r.text, False
        self._apply(self.machine.scanned(r.scan, r.ctx, now))

    def _busy(self) -> bool:
        """A visit that needs the guard (a prompt, a staff outcome shown until dismissed, a
        record on its way) is not replaced by the next person's code held up too early."""
        st = self.machine.state
        if st.phase in (Phase.PROMPT, Phase.RECORDING) or self._failed:
            return True
        return st.phase is Phase.RESULT and self._deadline is None

    @Slot(str)
    def _on_temperature_entered(self, keys: str) -> None:
        celsius = parse_keyed_temperature(keys)
        if celsius is None:
            return
        self._apply(self.machine.temperature_entered(celsius, self._clock()))

    @Slot(float)
    def _on_temperature_measured(self, celsius: float) -> None:
        """A reading from a connected thermometer: the same input as the keypad."""
        if self.machine.state.phase is Phase.PROMPT:
            self._apply(self.machine.temperature_entered(round(celsius, 1), self._clock()))

    @Slot(bool)
    def _on_mask_marked(self, worn: bool) -> None:
        self._apply(self.machine.mask_marked(worn, self._clock()))

    def manual_entry(self, reason: str, temperature_c: float | None) -> bool:
        """False when the temperature is out of range (measure again; nothing recorded)."""
        try:
            event = manual_entry_event(_station(self._settings()), self.policy, reason, temperature_c,
                                       int(self._clock()))
        except TemperatureOutOfRange:
            return False
        self._t_frame, self._text, self._failed = time.monotonic(), "", False
        self._apply(self.machine.manual_entry(event, self._clock()))
        return True

    @Slot()
    def _on_dismissed(self) -> None:
        st = self.machine.state
        if st.phase in (Phase.PROMPT, Phase.RESULT) or self._failed:
            self._end_visit()

    @Slot()
    def _on_timed_out(self) -> None:
        self._end_visit()

    def _end_visit(self) -> None:
        self._last_text, self._last_end = self._text, self._clock()
        self._text, self._failed = "", False
        self._return.stop()
        self._tick.stop()
        step = self.machine.reset(self._clock())
        if self.machine.state.phase is Phase.SCANNING:
            self._forget_codes()
        self._apply(step)

    # -- the store's answers -------------------------------------------------------------
    @Slot(str)
    def _on_recorded(self, event_id: str) -> None:
        before = self.machine.state.phase
        self.machine.recorded(event_id, self._clock())
        if before is Phase.RECORDING and self.machine.state.phase is Phase.RESULT:
            self._enter_screen()

    @Slot(str)
    def _on_record_failed(self, event_id: str) -> None:
        if self.machine.state.awaiting == event_id:
            self.out_of_service()  # nothing unrecorded is shown

    def out_of_service(self) -> None:
        """A record failed or a bug was caught: say so until a guard dismisses it, then go on."""
        self._failed = True
        self.sound.play(OUT_OF_SERVICE.sound)
        self._arm(None)
        self._render()

    # -- showing ---------------------------------------------------------------------------
    def _apply(self, step: Step) -> None:
        for event in step.records:
            self.record_requested.emit(event)
        if step.state.phase is Phase.RECORDING:
            return  # shown when recorded
        self._enter_screen()

    def _enter_screen(self) -> None:
        st = self.machine.state
        outcome = st.outcome
        if st.phase is Phase.SCANNING:
            self._arm(None)
        elif outcome is not None:
            self.sound.play(LOOKS[outcome].sound)
            s = self._settings()
            if st.phase is Phase.PROMPT:
                self._arm(s.timeout_prompt_s)
            elif outcome is Outcome.PASS or outcome is Outcome.MANUAL:
                self._arm(s.timeout_pass_s)
            elif outcome in STAFF_OUTCOMES:
                self._arm(s.timeout_staff_s or None)
            else:
                self._arm(s.timeout_refused_s)
            self.decision_shown.emit(self._t_frame, time.monotonic())
            allowed = st.manual.allow if st.manual is not None else st.decision is not None and st.decision.allow
            if st.phase is Phase.RESULT and allowed:
                self.entry_allowed.emit()
        self._render()

    def _arm(self, seconds: float | None) -> None:
        self._return.stop()
        self._tick.stop()
        self._deadline = None
        if seconds:
            self._deadline = self._clock() + seconds
            self._return.start(round(seconds * 1000))
            self._tick.start()

    def remaining_s(self) -> int | None:
        if self._deadline is None:
            return None
        return max(0, round(self._deadline - self._clock()))

    @Slot()
    def _render(self) -> None:
        st = self.machine.state
        remaining = None if self.machine.state.phase is Phase.PROMPT else self.remaining_s()
        self.window.render_visit(st, remaining, self._failed)


def _station(s: Settings) -> Station:
    return Station(s.checkpoint_id, s.venue_id, s.venue_type, s.operator)
