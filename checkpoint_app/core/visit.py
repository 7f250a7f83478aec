"""One visit at the checkpoint as a Qt-free state machine (spec sections 6 and 7), with
every rule of the entrance in one place:

- record, then show (spec 7): a final state is held back (`awaiting`) until `recorded()`
  confirms the write;
- the gate opens only for an allowed, recorded decision: `Step.open_gate` is set in one
  place, `recorded()`, by `gate_opens()`;
- a refusal holds: it is never replaced by the next person's code, and stays at least
  MIN_HOLD_S even against a dismissal; a code read meanwhile waits (`waiting`) and is
  verified again when the screen ends (`Step.rescan`), as if scanned at that moment;
- the repeat guard: the phone of the visit just ended, still held up, is not a new visit;
- a decision is taken on the data of its moment: when the store's documents or statuses
  change during a prompt, the code is verified again (`data_changed`) before an input can
  make the visit final; and a gate opening is withdrawn when its visit leaves the screen;
- each screen's time on screen (`VisitState.deadline`, from `Timeouts`);
- a person is never refused for the network: a lookup by ID document (spec 5.1) without an
  answer leads to the manual record, never to a refusal (`lookup_failed`, `due`).

The window feeds events in with the time and follows the `Step`s it gets back: records to
write, codes to verify again, the gate to open, and when to call `due()` next. The states
and the rules that read them live in core/visit_state.py."""

from __future__ import annotations

import dataclasses
import math

from checkpoint_app.core.checkpoint import (
    Context,
    Decision,
    Inputs,
    Scan,
    TemperatureOutOfRange,
    decide,
    facts_for,
)
from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.events import ScanEvent, Station, event_from_decision
from checkpoint_app.core.manual_entry import manual_entry_event
from checkpoint_app.core.outcomes import REFUSALS, Outcome
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.core.visit_state import (
    LOOKUP_WAIT_S,
    MIN_HOLD_S,
    PASS_HOLD_S,
    REPEAT_GUARD_S,
    WAIT_MAX_S,
    NextCode,
    PendingLookup,
    Phase,
    Step,
    Timeouts,
    VisitState,
    gate_opens,
    shifted,
)


def _not_a_code(s: Scan) -> bool:
    return s.verification.error is ErrorCode.NOT_A_HEALTH_CODE


def _facts_of(d: Decision, ctx: Context) -> tuple[object, ...]:
    """What a decision rests on, but the code's age (which grows by itself)."""
    facts = {k: v for k, v in facts_for(d.scan, d.inputs, ctx).items() if k != "code_age_s"}
    return (sorted(facts.items()), ctx.policy.serial, d.action, d.allow, d.pending)


class VisitMachine:
    """Holds the current visit. Every method takes the time and returns a `Step`."""

    def __init__(self, station: Station, timeouts: Timeouts | None = None) -> None:
        self.station = station
        self.timeouts = timeouts or Timeouts()
        self.state = VisitState()
        self._last_text, self._last_end = "", -math.inf

    # -- codes -----------------------------------------------------------------------------
    def scanned(self, s: Scan, ctx: Context, now: float, *, text: str = "", t_frame: float = 0.0) -> Step:
        """A code was verified. It is decided now when the screen may be replaced; otherwise
        it waits (the latest wins) and is verified again when the screen ends."""
        st = self.state
        if text and text == st.text and st.phase is Phase.PROMPT and st.refreshing:
            return self._refreshed(s, ctx, now)
        if text and ((text == st.text and st.phase is not Phase.SCANNING)
                     or (text == self._last_text and now - self._last_end < REPEAT_GUARD_S)):
            return Step(st)  # the same phone, still held up
        if now < self.hold_until():
            if not _not_a_code(s):
                self.state = dataclasses.replace(st, waiting=NextCode(text, t_frame, now))
            return Step(self.state)
        step = self._end(now)  # a pass or notice on screen is replaced at once
        if _not_a_code(s):  # spec 7: no decision, nothing recorded
            self.state = VisitState(Phase.RESULT, shown_at=now, deadline=now + self.timeouts.pass_s,
                                    next_mask=st.next_mask, not_a_code=True)
            return Step(self.state, step.records, gate_withdrawn=step.gate_withdrawn)
        mask = st.next_mask if st.phase is Phase.SCANNING or st.not_a_code else None
        self.state = VisitState(text=text)
        final = self._final_or_prompt(decide(s, Inputs(mask=mask), ctx), ctx, now)
        return Step(final.state, step.records + final.records, gate_withdrawn=step.gate_withdrawn)

    def hold_until(self) -> float:
        """Until when the screen may not be replaced by a new code."""
        st = self.state
        if st.phase is Phase.SCANNING or st.not_a_code:
            return -math.inf
        if st.phase is not Phase.RESULT or st.outcome in REFUSALS:
            return math.inf  # until the guard or the screen's time ends it
        return (st.shown_at or 0.0) + PASS_HOLD_S

    def _final_or_prompt(self, decision: Decision, ctx: Context, now: float) -> Step:
        st = self.state
        if decision.pending:
            self.state = dataclasses.replace(st, phase=Phase.PROMPT, decision=decision, ctx=ctx,
                                             deadline=now + self.timeouts.prompt_s)
            return Step(self.state)
        event = event_from_decision(decision, self.station, int(now))
        self.state = dataclasses.replace(st, phase=Phase.RECORDING, decision=decision, ctx=ctx, awaiting=event,
                                         deadline=None)
        return Step(self.state, (event,))

    def data_changed(self, now: float) -> Step:
        """The store's documents or statuses changed (a sync, another process's `sync --from`).
        A visit at a prompt was decided on the old data: verify its code again, so that the
        temperature typed next does not let in someone who has just turned red."""
        st = self.state
        if st.phase is not Phase.PROMPT or not st.text:
            return Step(st)
        self.state = dataclasses.replace(st, refreshing=True)
        return Step(self.state, rescan=NextCode(st.text, 0.0, now))

    def _refreshed(self, s: Scan, ctx: Context, now: float) -> Step:
        """The prompt's code verified again on the new data, decided with the inputs so far.
        Unchanged facts change nothing on screen (the guard may be typing)."""
        st = dataclasses.replace(self.state, refreshing=False)
        self.state = st
        old, inputs = st.decision, st.inputs
        if old is None or st.ctx is None:
            return Step(st)
        try:
            decision = decide(s, inputs, ctx)
        except TemperatureOutOfRange:  # a new policy's range excludes the reading: measure again
            decision = decide(s, dataclasses.replace(inputs, temperature_c=None), ctx)
        if _facts_of(decision, ctx) == _facts_of(old, st.ctx):
            return Step(st)
        return self._final_or_prompt(decision, ctx, now)

    # -- the guard's inputs ------------------------------------------------------------------
    def temperature_entered(self, celsius: float, now: float) -> Step:
        return self._input(now, dataclasses.replace(self.state.inputs, temperature_c=celsius))

    def mask_marked(self, worn: bool, now: float) -> Step:
        """At a prompt: re-decide with the mask. While waiting for a code: the guard saw the
        next person arrive without a mask; their visit starts with it ("at any point")."""
        if self.state.phase is Phase.SCANNING:
            self.state = dataclasses.replace(self.state, next_mask=None if worn else False)
            return Step(self.state)
        return self._input(now, dataclasses.replace(self.state.inputs, mask=worn))

    def _input(self, now: float, inputs: Inputs) -> Step:
        st = self.state
        if st.phase is not Phase.PROMPT or st.decision is None or st.ctx is None:
            return Step(st)
        try:
            decision = decide(st.decision.scan, inputs, st.ctx)
        except TemperatureOutOfRange as exc:
            self.state = dataclasses.replace(st, rejected_temperature=exc.celsius)
            return Step(self.state)
        self.state = dataclasses.replace(st, rejected_temperature=None)
        return self._final_or_prompt(decision, st.ctx, now)

    def manual_started(self, now: float) -> Step:
        """The guard opens the manual entry (only while waiting for a code): codes read
        meanwhile wait for the next visit."""
        if self.state.phase is not Phase.SCANNING:
            return Step(self.state)
        self.state = dataclasses.replace(self.state, phase=Phase.MANUAL, deadline=now + self.timeouts.prompt_s)
        return Step(self.state)

    def manual_entry(self, reason: str, temperature_c: float, policy: Policy, now: float) -> Step:
        """A guard records someone without a code. Raises TemperatureOutOfRange (measure again)."""
        st = self.state
        if st.phase is not Phase.MANUAL:
            return Step(st)
        event = manual_entry_event(self.station, policy, reason, temperature_c, int(now))
        self.state = VisitState(Phase.RECORDING, awaiting=event, manual=event, waiting=st.waiting)
        return Step(self.state, (event,))

    # -- lookups by ID document (spec 5.1) ------------------------------------------------------
    def id_entry_started(self, now: float) -> Step:
        """The guard opens the ID number entry (only while waiting for a code)."""
        if self.state.phase is not Phase.SCANNING:
            return Step(self.state)
        self.state = dataclasses.replace(self.state, phase=Phase.ID_ENTRY, deadline=now + self.timeouts.prompt_s)
        return Step(self.state)

    def lookup_started(self, request: int, masked: str, now: float) -> Step:
        """A card was read or a number typed. Taken while waiting for a code, at the ID entry,
        or over a result the next code may replace; else ignored (the state's `lookup` says)."""
        st = self.state
        if st.phase not in (Phase.SCANNING, Phase.ID_ENTRY) and not (st.phase is Phase.RESULT
                                                                      and now >= self.hold_until()):
            return Step(st)
        step = self._end(now) if st.phase is Phase.RESULT else Step(st)
        self.state = VisitState(Phase.LOOKUP, next_mask=st.next_mask, deadline=now + LOOKUP_WAIT_S,
                                waiting=st.waiting, lookup=PendingLookup(request, masked, now))
        return Step(self.state, step.records, gate_withdrawn=step.gate_withdrawn)

    def looked_up(self, request: int, s: Scan, ctx: Context, now: float) -> Step:
        """The platform's verified answer: decided like a code (a late answer is dropped)."""
        st = self.state
        if st.phase is not Phase.LOOKUP or st.lookup is None or st.lookup.request != request:
            return Step(st)
        self.state = VisitState(waiting=st.waiting)
        return self._final_or_prompt(decide(s, Inputs(mask=st.next_mask), ctx), ctx, now)

    def lookup_failed(self, request: int, now: float) -> Step:
        """No answer (offline, refused, forged, late): straight into the manual record."""
        st = self.state
        if st.phase is not Phase.LOOKUP or st.lookup is None or st.lookup.request != request:
            return Step(st)
        self.state = VisitState(Phase.MANUAL, deadline=now + self.timeouts.prompt_s, waiting=st.waiting,
                                lookup_failed=True)
        return Step(self.state)

    # -- the record and the screen's end ------------------------------------------------------
    def recorded(self, event_id: str, now: float) -> Step:
        st = self.state
        if st.phase is not Phase.RECORDING or st.awaiting is None or st.awaiting.event_id != event_id:
            return Step(st)
        outcome = st.outcome or Outcome.REFUSED
        seconds = self.timeouts.on_screen_s(outcome)
        self.state = dataclasses.replace(st, phase=Phase.RESULT, awaiting=None, shown_at=now,
                                         deadline=None if seconds is None else now + seconds)
        return Step(self.state, open_gate=gate_opens(st.awaiting))

    def dismissed(self, now: float) -> Step:
        """The guard's Enter (or Esc at a prompt). A refusal younger than MIN_HOLD_S stays:
        a double Enter, or a scanner's trailing Enter, must not skip it."""
        st = self.state
        if st.phase is Phase.RESULT and st.outcome in REFUSALS and now - (st.shown_at or now) < MIN_HOLD_S:
            return Step(st)
        if st.phase in (Phase.PROMPT, Phase.MANUAL, Phase.RESULT, Phase.ID_ENTRY, Phase.LOOKUP):
            return self._end(now)
        return Step(st)

    def due(self, now: float) -> Step:
        """The time `wake_at()` named has come: drop a stale waiting code, end a screen whose
        time is up, or let a waiting code replace a pass."""
        st = self.state
        if st.waiting is not None and now - st.waiting.since >= WAIT_MAX_S:
            self.state = st = dataclasses.replace(st, waiting=None)
        if st.phase is Phase.LOOKUP and st.lookup is not None and st.deadline is not None and now >= st.deadline:
            return self.lookup_failed(st.lookup.request, now)
        if (st.deadline is not None and now >= st.deadline) or (st.waiting is not None and now >= self.hold_until()):
            return self._end(now)
        return Step(st)

    def wake_at(self) -> float | None:
        st = self.state
        times = [] if st.deadline is None else [st.deadline]
        if st.waiting is not None:
            times += [st.waiting.since + WAIT_MAX_S, self.hold_until()]
        finite = [t for t in times if math.isfinite(t)]
        return min(finite) if finite else None

    def clock_stepped(self, seconds: float) -> None:
        """The wall clock was set back (an NTP step, an installer): the times the visit holds
        move with it. Otherwise a refusal shown before the step would stay on screen, neither
        dismissable nor timing out, and every code would wait, for as long as the step."""
        self.state = shifted(self.state, seconds)
        self._last_end += seconds

    def reset(self, now: float) -> Step:
        """Back to scanning whatever is shown (after "out of service" was dismissed)."""
        return self._end(now)

    def _end(self, now: float) -> Step:
        st = self.state
        abandoned: tuple[ScanEvent, ...] = ()
        if st.phase is Phase.PROMPT and st.decision is not None:
            abandoned = (event_from_decision(st.decision, self.station, int(now), kind="abandoned"),)
        if st.text:
            self._last_text, self._last_end = st.text, now
        keep_mask = st.next_mask if st.phase is Phase.SCANNING or st.not_a_code else None
        waiting = st.waiting if st.waiting is not None and now - st.waiting.since < WAIT_MAX_S else None
        let_in = st.phase is Phase.RESULT and st.outcome in (Outcome.PASS, Outcome.MANUAL)
        self.state = VisitState(next_mask=keep_mask)
        return Step(self.state, abandoned, rescan=waiting, gate_withdrawn=let_in)
