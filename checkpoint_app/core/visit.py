"""One visit at the checkpoint as a Qt-free state machine (spec sections 6 and 7).

The window feeds it what happened (a code was verified, the guard typed a temperature,
marked no mask, the screen timed out) and gets back the next `VisitState` and, when a
final decision or an abandoned visit must be recorded, the `ScanEvent` to write first.
The rule of spec section 7 -- record, then show -- is kept by holding a final state
back (`awaiting`) until `recorded()` confirms the write."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from checkpoint_app.core.checkpoint import (
    Context,
    Decision,
    Inputs,
    Scan,
    TemperatureOutOfRange,
    check_temperature,
    decide,
)
from checkpoint_app.core.events import ScanEvent, Station, event_from_decision, manual_event
from checkpoint_app.core.outcomes import Outcome, Phrase, VisitorCue, cue_of, outcome_of, phrase_of
from checkpoint_app.core.trust.policy import Policy


class Phase(StrEnum):
    SCANNING = "scanning"  # waiting for a code
    PROMPT = "prompt"  # a pending action: the guard must give an input
    RECORDING = "recording"  # a final decision waits for the store to confirm the write
    RESULT = "result"  # a final decision is on screen


@dataclass(frozen=True, slots=True)
class VisitState:
    phase: Phase = Phase.SCANNING
    decision: Decision | None = None
    ctx: Context | None = None
    # The last temperature the guard typed that was outside the policy's range: "measure again".
    rejected_temperature: float | None = None
    awaiting: str | None = None  # event id of the record that must land before the result shows
    shown_at: float | None = None
    manual: ScanEvent | None = None  # a manual entry (no code) being recorded or shown
    # "No mask" marked while waiting for a code: the next visit starts with it.
    next_mask: bool | None = None

    @property
    def outcome(self) -> Outcome | None:
        if self.manual is not None:
            return outcome_of(self.manual.action, self.manual.allow, False)
        d = self.decision
        return None if d is None else outcome_of(d.action, d.allow, d.pending)

    @property
    def inputs(self) -> Inputs:
        if self.manual is not None:
            return Inputs(self.manual.temperature_c, self.manual.mask)
        return Inputs() if self.decision is None else self.decision.inputs


def visitor_cue(state: VisitState) -> VisitorCue | None:
    """What the queue-facing screen says in this state; None while a record is on its way
    (keep showing what is shown: the result follows in a few milliseconds)."""
    if state.phase is Phase.RECORDING:
        return None
    if state.phase is Phase.SCANNING:
        return cue_of(None)
    return cue_of(state.outcome, None if state.decision is None else state.decision.action)


def spoken_phrase(state: VisitState) -> Phrase | None:
    """The phrase to speak when this state reaches the screen (prompts and results only)."""
    if state.phase not in (Phase.PROMPT, Phase.RESULT):
        return None
    return phrase_of(state.outcome, None if state.decision is None else state.decision.action)


@dataclass(frozen=True, slots=True)
class Step:
    """The next state and the events to record, in order. When `state.awaiting` names one
    of them, the final state may be shown only after that event is durable."""

    state: VisitState
    records: tuple[ScanEvent, ...] = ()


def parse_keyed_temperature(keys: str) -> float | None:
    """The guard's keypad entry in °C. Three digits without a point mean tenths, so a
    pass takes four key presses: "365" + Enter is 36.5 °C. None when it is not a reading."""
    keys = keys.strip()
    if not keys or keys.count(".") > 1:
        return None
    try:
        if "." in keys:
            return float(keys)
        if len(keys) == 3:
            return int(keys) / 10
        if len(keys) == 2:
            return float(keys)
    except ValueError:
        return None
    return None


def manual_entry_event(station: Station, policy: Policy | None, reason: str, temperature_c: float | None,
                       now: int) -> ScanEvent:
    """The record of someone let in without a code. A temperature outside the policy's range
    raises TemperatureOutOfRange (measure again); a fever is not let in."""
    fever = False
    if temperature_c is not None and policy is not None:
        check_temperature(policy, temperature_c)
        fever = temperature_c >= policy.fever_threshold_c
    return manual_event(station, now, reason, temperature_c=temperature_c, allow=not fever,
                        policy_serial=None if policy is None else policy.serial)


class VisitMachine:
    """Holds the current visit. Every method returns a `Step`; the caller records
    `step.record` when present and calls `recorded(event_id)` once it is durable."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.state = VisitState()

    def _final_or_prompt(self, decision: Decision, ctx: Context, now: float) -> Step:
        if decision.pending:
            self.state = VisitState(Phase.PROMPT, decision, ctx)
            return Step(self.state)
        event = event_from_decision(decision, self.station, int(now))
        self.state = VisitState(Phase.RECORDING, decision, ctx, awaiting=event.event_id)
        return Step(self.state, (event,))

    def scanned(self, s: Scan, ctx: Context, now: float) -> Step:
        """A code was verified. A visit still waiting at a prompt is abandoned for the new one."""
        inputs = Inputs(mask=self.state.next_mask if self.state.phase is Phase.SCANNING else None)
        abandoned = self._abandon(now)
        step = self._final_or_prompt(decide(s, inputs, ctx), ctx, now)
        return Step(step.state, abandoned + step.records)

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
        return self._final_or_prompt(decision, st.ctx, now)

    def manual_entry(self, event: ScanEvent, now: float) -> Step:
        """A guard records someone without a code; a visit at a prompt is abandoned for it."""
        abandoned = self._abandon(now)
        self.state = VisitState(Phase.RECORDING, awaiting=event.event_id, manual=event)
        return Step(self.state, (*abandoned, event))

    def recorded(self, event_id: str, now: float) -> Step:
        st = self.state
        if st.phase is Phase.RECORDING and st.awaiting == event_id:
            self.state = dataclasses.replace(st, phase=Phase.RESULT, awaiting=None, shown_at=now)
        return Step(self.state)

    def reset(self, now: float) -> Step:
        """Back to scanning (timeout, dismissal, cancel). A visit left at a prompt is recorded as abandoned."""
        abandoned = self._abandon(now)
        self.state = VisitState()
        return Step(self.state, abandoned)

    def _abandon(self, now: float) -> tuple[ScanEvent, ...]:
        st = self.state
        if st.phase is Phase.PROMPT and st.decision is not None:
            return (event_from_decision(st.decision, self.station, int(now), kind="abandoned"),)
        return ()
