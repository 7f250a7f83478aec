"""The values of a visit (core/visit.py moves between them): its phase and state, the
time each screen stays, the waiting next code, the step the window carries out, and the
rules read off a state -- the gate rule, the visitor's instruction and the spoken phrase."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from checkpoint_app.core.checkpoint import Context, Decision, Inputs
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.outcomes import (
    REFUSALS,
    STAFF_OUTCOMES,
    Outcome,
    Phrase,
    VisitorCue,
    cue_of,
    outcome_of,
    phrase_of,
)

MIN_HOLD_S = 3.0  # a refusal stays at least this long, whatever is scanned or pressed
PASS_HOLD_S = 1.0  # "go in" stays at least this long before a waiting code replaces it
WAIT_MAX_S = 60.0  # a code that waited longer is dropped: that person has moved on
REPEAT_GUARD_S = 4.0  # the same code right after its visit ended is the same phone, not a new visit
# A lookup by ID document (spec 5.1) that has no answer by then has none: the manual record
# follows. Longer than the request's own deadline (core.lookup.client), so that this is the
# fallback and the request's failure the usual way.
LOOKUP_WAIT_S = 15.0


class Phase(StrEnum):
    SCANNING = "scanning"  # waiting for a code
    PROMPT = "prompt"  # a pending action: the guard must give an input
    MANUAL = "manual"  # the guard is typing a manual entry (someone without a code)
    ID_ENTRY = "id_entry"  # the guard is typing an ID number to look up (no phone, no card reader)
    LOOKUP = "lookup"  # the platform is asked for the holder of an ID document (spec 5.1)
    RECORDING = "recording"  # a final decision waits for the store to confirm the write
    RESULT = "result"  # a final decision (or the "not a health code" notice) is on screen


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds each kind of screen stays before the window returns to scanning (settings)."""

    pass_s: float = 3.0
    refused_s: float = 10.0
    staff_s: float = 0.0  # 0: until dismissed
    prompt_s: float = 60.0

    def on_screen_s(self, outcome: Outcome) -> float | None:
        """None: until dismissed. Refusals never go before MIN_HOLD_S."""
        if outcome in STAFF_OUTCOMES:
            return max(self.staff_s, MIN_HOLD_S) if self.staff_s else None
        if outcome in REFUSALS:
            return max(self.refused_s, MIN_HOLD_S)
        return self.pass_s


@dataclass(frozen=True, slots=True)
class NextCode:
    """A code read while the screen was held: the next person, verified when taken."""

    text: str
    t_frame: float
    since: float


@dataclass(frozen=True, slots=True)
class PendingLookup:
    """A lookup on its way: its request number (a late answer to an older one is ignored)
    and the document as a screen may show it (masked); the number itself stays out."""

    request: int
    masked: str
    since: float


@dataclass(frozen=True, slots=True)
class VisitState:
    phase: Phase = Phase.SCANNING
    decision: Decision | None = None
    ctx: Context | None = None
    # The last temperature the guard typed that was outside the policy's range: "measure again".
    rejected_temperature: float | None = None
    awaiting: ScanEvent | None = None  # the record that must land before the result shows
    shown_at: float | None = None
    manual: ScanEvent | None = None  # a manual entry (no code) being recorded or shown
    # "No mask" marked while waiting for a code: the next visit starts with it.
    next_mask: bool | None = None
    text: str = ""  # this visit's code, for the repeat guard
    deadline: float | None = None  # back to scanning by itself at this time; None: stays
    waiting: NextCode | None = None
    not_a_code: bool = False  # a payment or chat QR: the neutral "show your health code"
    lookup: PendingLookup | None = None
    lookup_failed: bool = False  # a manual entry that follows a lookup without an answer
    # The store's data changed during this prompt: the code is being verified again.
    refreshing: bool = False

    @property
    def outcome(self) -> Outcome | None:
        if self.not_a_code:
            return Outcome.NOT_A_CODE
        if self.manual is not None:
            return outcome_of(self.manual.action, self.manual.allow, False)
        d = self.decision
        return None if d is None else outcome_of(d.action, d.allow, d.pending)

    @property
    def inputs(self) -> Inputs:
        if self.manual is not None:
            return Inputs(self.manual.temperature_c, self.manual.mask)
        return Inputs() if self.decision is None else self.decision.inputs


@dataclass(frozen=True, slots=True)
class Step:
    """The next state and what the window must do: write `records` in order (a final
    state shows only once `state.awaiting` is durable), open the gate, verify `rescan`;
    `gate_withdrawn`: the allowed visit left the screen, so an opening of the gate that has
    not been carried out yet is for nobody any more (it would let in whoever stands there)."""

    state: VisitState
    records: tuple[ScanEvent, ...] = ()
    open_gate: bool = False
    rescan: NextCode | None = None
    gate_withdrawn: bool = False


def shifted(state: VisitState, seconds: float) -> VisitState:
    """The state with every time it holds moved by `seconds` (the wall clock was stepped)."""
    def moved(t: float | None) -> float | None:
        return None if t is None else t + seconds

    waiting = None if state.waiting is None else replace(state.waiting, since=state.waiting.since + seconds)
    lookup = None if state.lookup is None else replace(state.lookup, since=state.lookup.since + seconds)
    return replace(state, shown_at=moved(state.shown_at), deadline=moved(state.deadline), waiting=waiting,
                   lookup=lookup)


def gate_opens(event: ScanEvent) -> bool:
    """THE gate rule: only a durable record of a decision or manual entry that lets the person in."""
    return event.allow and event.kind in ("decision", "manual")


def visitor_cue(state: VisitState) -> VisitorCue | None:
    """What the queue-facing screen says in this state; None while a record is on its way
    (keep showing what is shown: the result follows in a few milliseconds)."""
    if state.phase is Phase.RECORDING:
        return None
    if state.phase is Phase.MANUAL:
        return VisitorCue.TAKE_TEMPERATURE
    if state.phase is Phase.ID_ENTRY:
        return VisitorCue.PLACE_ID_CARD
    if state.phase is Phase.LOOKUP:
        return None  # a second or two: keep what the visitor sees
    if state.phase is Phase.SCANNING:
        return cue_of(None)
    return cue_of(state.outcome, None if state.decision is None else state.decision.action)


def spoken_phrase(state: VisitState) -> Phrase | None:
    """The phrase to speak when this state reaches the screen (prompts and results only)."""
    if state.phase not in (Phase.PROMPT, Phase.RESULT):
        return None
    return phrase_of(state.outcome, None if state.decision is None else state.decision.action)
