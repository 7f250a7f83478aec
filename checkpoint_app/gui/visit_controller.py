"""Glue between the Qt-free VisitMachine (which holds every visit rule), the store thread
and the window: feeds events in with the time, and carries each `Step` out -- records to
the store, codes to verify again, the gate, sounds, the screen, and one timer for the
moment the machine wants to be woken (`wake_at`)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from checkpoint_app.core.checkpoint import Context, TemperatureOutOfRange
from checkpoint_app.core.identity import IdDocument, mask
from checkpoint_app.core.manual_entry import parse_keyed_temperature
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import Phase, Step, VisitState, spoken_phrase
from checkpoint_app.gui.main_window import MainWindow
from checkpoint_app.gui.sound import SoundPlayer
from checkpoint_app.gui.style import LOOKS, OUT_OF_SERVICE
from checkpoint_app.workers.values import LookupJob, LookupReply, ScanResult

log = logging.getLogger("checkpoint.visit")


class VisitController(QObject):
    """Signals: record_requested(ScanEvent): to the store thread;
    rescan_requested(str text, float t_frame): a waiting code to verify again, now;
    decision_shown(float t_frame, float t_shown): a new screen of the visit is shown (benchmark);
    entry_allowed(): an allowed decision is recorded and shown: open the gate;
    entry_withdrawn(): that decision left the screen: an opening not yet made is for nobody;
    lookup_requested(LookupJob): an ID document to ask the platform about (the lookup thread)."""

    record_requested = Signal(object)
    lookup_requested = Signal(object)
    rescan_requested = Signal(str, float)
    decision_shown = Signal(float, float)
    entry_allowed = Signal()
    entry_withdrawn = Signal()

    def __init__(self, machine: VisitMachine, window: MainWindow, sound: SoundPlayer,
                 forget_codes: Callable[[], None], clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.machine, self.window, self.sound = machine, window, sound
        self._forget_codes, self._clock = forget_codes, clock
        self.ctx: Context | None = None  # the store's latest documents, for manual entries
        self._t_frame = 0.0
        self._shown: VisitState = machine.state
        self._failed, self._stopped = False, False
        self._lookups = 0  # request numbers: an answer to an abandoned lookup is not this visit's
        self._seen = -math.inf  # the latest wall-clock time read, to notice a step back
        self._lookup: LookupJob | None = None  # the one in flight, cancelled once the visit leaves it
        self._wake = QTimer(self, singleShot=True)
        self._wake.timeout.connect(self._on_due)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._render)
        w = window
        w.prompt.temperature_entered.connect(self._on_temperature_entered)
        w.prompt.mask_marked.connect(self._on_mask_marked)
        w.scan.mask_marked.connect(self._on_mask_marked)
        w.prompt.cancelled.connect(self._on_dismissed)
        w.result.dismissed.connect(self._on_dismissed)
        w.manual_requested.connect(self._on_manual_requested)
        w.manual.entry_made.connect(self._on_manual_entry)
        w.manual.cancelled.connect(self._on_dismissed)
        w.id_entry_requested.connect(self._on_id_entry_requested)
        w.id_entry.document_entered.connect(self._on_document)
        w.id_entry.cancelled.connect(self._on_dismissed)
        w.lookup.cancelled.connect(self._on_dismissed)

    def _now(self) -> float:
        """The wall clock; a step back of it is reported to the machine (`clock_stepped`)."""
        now = self._clock()
        if now < self._seen:
            self.machine.clock_stepped(now - self._seen)
        self._seen = now
        return now

    @property
    def policy(self) -> Policy | None:
        return None if self.ctx is None else self.ctx.policy

    def stop(self) -> None:
        """The shutdown path: no step is carried out after this, so a signal still queued
        (a record confirmed, a lookup answered) arms no timer and renders into no window."""
        self._stopped = True
        self._cancel_lookup()
        self._wake.stop()
        self._tick.stop()

    # -- inputs --------------------------------------------------------------------------
    @Slot(object)
    def _on_context_changed(self, ctx: Context) -> None:
        self.ctx = ctx

    @Slot()
    def _on_data_changed(self) -> None:
        """A sync (ours or another process's) changed the store: a prompt is verified again."""
        if not self._failed:
            self._apply(self.machine.data_changed(self._now()))

    @Slot(object)
    def _on_scanned(self, r: ScanResult) -> None:
        if self._failed:
            return  # out of service until a guard dismisses it
        self.ctx = self.ctx or r.ctx
        step = self.machine.scanned(r.scan, r.ctx, self._now(), text=r.text, t_frame=r.t_frame)
        if step.state.text == r.text and step.state is not self._shown:
            self._t_frame = r.t_frame
        self._apply(step)

    @Slot(str)
    def _on_temperature_entered(self, keys: str) -> None:
        celsius = parse_keyed_temperature(keys)
        if celsius is not None:
            self._apply(self.machine.temperature_entered(celsius, self._now()))

    @Slot(float)
    def _on_temperature_measured(self, celsius: float) -> None:
        """A reading from a connected thermometer: the same input as the keypad; never while
        "out of service" hides the prompt (a pass nobody sees would open the gate)."""
        if self.machine.state.phase is Phase.PROMPT and not self._failed:
            self._apply(self.machine.temperature_entered(round(celsius, 1), self._now()))

    @Slot(bool)
    def _on_mask_marked(self, worn: bool) -> None:
        self._apply(self.machine.mask_marked(worn, self._now()))

    @Slot()
    def _on_manual_requested(self) -> None:
        if not self._failed:
            self._apply(self.machine.manual_started(self._now()))

    @Slot(str, float)
    def _on_manual_entry(self, reason: str, temperature_c: float) -> None:
        policy = self.policy
        if policy is None:
            self.window.manual.not_ready()  # the store has not loaded the documents yet
            return
        try:
            step = self.machine.manual_entry(reason, temperature_c, policy, self._now())
        except TemperatureOutOfRange:
            self.window.manual.temperature_rejected(temperature_c, policy.temperature_min_c,
                                                    policy.temperature_max_c)
            return
        self._t_frame = time.monotonic()
        self._apply(step)

    # -- lookups by ID document (spec 5.1) -------------------------------------------------
    @Slot()
    def _on_id_entry_requested(self) -> None:
        if not self._failed:
            self._apply(self.machine.id_entry_started(self._now()))

    @Slot(object)
    def _on_document(self, doc: IdDocument) -> None:
        """A card placed on the reader or a number typed: the lookup thread asks the platform.
        While the screen may not be replaced (a refusal held, a prompt) it is not taken."""
        if self._failed:
            return
        self._lookups += 1
        step = self.machine.lookup_started(self._lookups, mask(doc.number), self._now())
        if step.state.lookup is None or step.state.lookup.request != self._lookups:
            log.info("an ID document arrived while the screen is busy: not looked up")
            return
        self._t_frame = time.monotonic()
        self._cancel_lookup()
        self._lookup = LookupJob(self._lookups, doc, self.ctx, self._t_frame)
        self.lookup_requested.emit(self._lookup)
        self._apply(step)

    def _cancel_lookup(self) -> None:
        """A lookup the visit has left (Esc, a timeout, the next card) ends now: the next one
        does not queue behind its deadline, and one not sent yet never leaves."""
        if self._lookup is not None:
            self._lookup.cancel.set()
            self._lookup = None

    @Slot(object)
    def _on_looked_up(self, reply: LookupReply) -> None:
        if self._stopped or self._failed:
            return  # the lookup the shutdown or "out of service" cancelled: no hidden visit goes on
        now = self._now()
        if reply.result is None:
            self._apply(self.machine.lookup_failed(reply.request, now))
        else:
            self._apply(self.machine.looked_up(reply.request, reply.result.scan, reply.result.ctx, now))

    @Slot()
    def _on_dismissed(self) -> None:
        if self._failed:
            self._failed = False
            self._apply(self.machine.reset(self._now()))
        else:
            self._apply(self.machine.dismissed(self._now()))

    @Slot()
    def _on_due(self) -> None:
        self._apply(self.machine.due(self._now()))

    # -- the store's answers -------------------------------------------------------------
    @Slot(str)
    def _on_recorded(self, event_id: str) -> None:
        self._apply(self.machine.recorded(event_id, self._now()))

    @Slot(str)
    def _on_record_failed(self, event_id: str) -> None:
        awaiting = self.machine.state.awaiting
        if awaiting is not None and awaiting.event_id == event_id:
            self.out_of_service()  # nothing unrecorded is shown, and the gate stays shut

    def out_of_service(self) -> None:
        """A record failed or a bug was caught: say so until a guard dismisses it, then go on."""
        self._failed = True
        self._cancel_lookup()
        self.sound.play(OUT_OF_SERVICE.sound)
        self._wake.stop()
        self._tick.stop()
        self._render()

    # -- carrying a step out -------------------------------------------------------------
    def _apply(self, step: Step) -> None:
        if self._stopped:
            return
        pending = self.machine.state.lookup
        if self._lookup is not None and (pending is None or pending.request != self._lookup.request):
            self._cancel_lookup()
        for event in step.records:
            self.record_requested.emit(event)
        if step.gate_withdrawn:
            self.entry_withdrawn.emit()
        if self._failed:
            return  # "out of service" hides the visit: no gate opens, no timer runs it on
        if step.open_gate:
            self.entry_allowed.emit()
        if step.rescan is not None:
            self.rescan_requested.emit(step.rescan.text, time.monotonic())  # as if read now
        st, before = step.state, self._shown
        if st.phase is Phase.SCANNING and before.phase is not Phase.SCANNING:
            self._forget_codes()
        self._arm()
        if st.phase is Phase.RECORDING:
            return  # the screen changes once the record is durable (a few ms)
        self._shown = st
        if _new_screen(before, st) and st.outcome is not None:
            phrase = spoken_phrase(st)
            self.sound.play(LOOKS[st.outcome].sound, None if phrase is None else phrase.value)
            self.decision_shown.emit(self._t_frame, time.monotonic())
        self._render()

    def _arm(self) -> None:
        wake = self.machine.wake_at()
        self._wake.stop()
        if wake is not None:
            self._wake.start(max(0, round((wake - self._now()) * 1000)))
        st = self.machine.state
        if st.deadline is not None or st.waiting is not None:
            if not self._tick.isActive():
                self._tick.start()
        else:
            self._tick.stop()

    def remaining_s(self) -> int | None:
        deadline = self.machine.state.deadline
        return None if deadline is None else max(0, round(deadline - self._now()))

    @Slot()
    def _render(self) -> None:
        if self._stopped:
            return  # a store signal queued before the shutdown: the window may be gone
        st = self.machine.state
        remaining = None if st.phase in (Phase.PROMPT, Phase.MANUAL) else self.remaining_s()
        self.window.render_visit(st, remaining, self._failed)


def _new_screen(before: VisitState, after: VisitState) -> bool:
    """A screen the guard has not seen yet: a new phase or a new decision (not a tick)."""
    return (before.phase, before.decision, before.manual, before.not_a_code) != (
        after.phase, after.decision, after.manual, after.not_a_code)
