"""The entrance's rules in core.visit: the gate rule, the refusal hold, the waiting next
code, the repeat guard, the "not a health code" notice and the per-outcome timeouts."""

from __future__ import annotations

import pytest

from checkpoint_app.core.checkpoint import Context, scan
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.events import Station
from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.status import StatusEntry
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import (
    MIN_HOLD_S,
    PASS_HOLD_S,
    REPEAT_GUARD_S,
    WAIT_MAX_S,
    NextCode,
    Phase,
    Step,
    Timeouts,
)
from tests.support.core_pki import NOW, Pki

STATION = Station("CP-1", "venue-1", "mall")
YELLOW = {"color": Color.YELLOW, "reasons": (201,)}
RED = {"color": Color.RED, "reasons": (103,)}


class Entrance:
    """A machine fed with codes by text, as the window feeds it from the store thread."""

    def __init__(self, pki: Pki, timeouts: Timeouts | None = None, ctx: Context | None = None) -> None:
        self.pki, self.ctx = pki, ctx or pki.context()
        self.m = VisitMachine(STATION, timeouts)
        self.gate = 0

    def code(self, n: int, **claims: object) -> str:
        return self.pki.issue(hid=bytes([n]) * 16, **claims)

    def show(self, text: str, t: float) -> Step:
        step = self.m.scanned(scan(text, self.ctx, int(t)), self.ctx, t, text=text, t_frame=t)
        return self.land(step, t)

    def land(self, step: Step, t: float) -> Step:
        """The store confirms every record at once; count the gate openings."""
        for event in step.records:
            done = self.m.recorded(event.event_id, t)
            self.gate += done.open_gate
        return step

    def temperature(self, celsius: float, t: float) -> Step:
        return self.land(self.m.temperature_entered(celsius, t), t)


def test_a_refusal_holds_and_the_next_code_waits_then_is_verified_again(pki: Pki) -> None:
    e = Entrance(pki)
    yellow, green = e.code(1, **YELLOW), e.code(2)
    e.show(yellow, NOW)
    assert e.m.state.outcome is Outcome.YELLOW
    step = e.show(green, NOW + 0.5)
    assert not step.records and e.m.state.outcome is Outcome.YELLOW
    assert e.m.state.waiting == NextCode(green, NOW + 0.5, NOW + 0.5)
    assert e.m.dismissed(NOW + MIN_HOLD_S - 0.1).state.outcome is Outcome.YELLOW  # a double Enter cannot skip it
    step = e.m.dismissed(NOW + MIN_HOLD_S)
    assert step.state.phase is Phase.SCANNING and step.rescan is not None and step.rescan.text == green
    e.show(step.rescan.text, NOW + MIN_HOLD_S)  # verified again, now
    assert e.m.state.phase is Phase.PROMPT and e.m.state.decision.scan.at == NOW + MIN_HOLD_S


def test_a_waiting_code_is_taken_when_the_refusal_times_out(pki: Pki) -> None:
    e = Entrance(pki, Timeouts(refused_s=2.0))  # the settings allow 2 s: the hold makes it 3
    e.show(e.code(1, **YELLOW), NOW)
    assert e.m.state.deadline == NOW + MIN_HOLD_S
    e.show(e.code(2), NOW + 1)
    assert e.m.wake_at() == NOW + MIN_HOLD_S
    assert e.m.due(NOW + 2).state.outcome is Outcome.YELLOW
    assert e.m.due(NOW + MIN_HOLD_S).rescan is not None


def test_a_code_waiting_longer_than_a_minute_is_dropped(pki: Pki) -> None:
    e = Entrance(pki)
    e.show(e.code(1, **RED), NOW)
    assert e.m.state.deadline is None  # red stays until dismissed
    e.show(e.code(2), NOW + 1)
    assert e.m.wake_at() == NOW + 1 + WAIT_MAX_S
    assert e.m.due(NOW + 1 + WAIT_MAX_S).state.waiting is None
    assert e.m.state.outcome is Outcome.RED_TURN_BACK and e.m.wake_at() is None
    assert e.m.dismissed(NOW + 90).rescan is None
    e2 = Entrance(pki)  # dismissed late without a timer firing: dropped as well
    e2.show(e2.code(1, **RED), NOW)
    e2.show(e2.code(2), NOW + 1)
    assert e2.m.dismissed(NOW + 2 + WAIT_MAX_S).rescan is None


def test_the_latest_waiting_code_wins(pki: Pki) -> None:
    e = Entrance(pki)
    third = e.code(3)
    e.show(e.code(1, **YELLOW), NOW)
    e.show(e.code(2), NOW + 1)
    e.show(third, NOW + 2)
    assert e.m.dismissed(NOW + 5).rescan == NextCode(third, NOW + 2, NOW + 2)


def test_a_pass_shows_briefly_before_a_waiting_code_replaces_it(pki: Pki) -> None:
    e = Entrance(pki)
    e.show(e.code(1), NOW)
    e.show(e.code(2), NOW + 1)  # the next person holds up a phone during the prompt
    assert e.m.state.phase is Phase.PROMPT and e.m.state.waiting is not None
    e.temperature(36.5, NOW + 2)
    assert e.m.state.outcome is Outcome.PASS and e.gate == 1
    assert e.m.wake_at() == NOW + 2 + PASS_HOLD_S
    assert e.m.due(NOW + 2 + PASS_HOLD_S).rescan is not None
    e.show(e.code(3), NOW + 10)
    e.temperature(36.5, NOW + 11)
    step = e.show(e.code(4, **YELLOW), NOW + 11 + PASS_HOLD_S)  # a pass after its moment: replaced at once
    assert e.m.state.outcome is Outcome.YELLOW and step.records


def test_the_same_phone_is_not_a_new_visit(pki: Pki) -> None:
    e = Entrance(pki)
    yellow = e.code(1, **YELLOW)
    e.show(yellow, NOW)
    assert e.show(yellow, NOW + 1).state.waiting is None  # still held up: not the next person
    e.m.dismissed(NOW + 4)
    assert not e.show(yellow, NOW + 4 + REPEAT_GUARD_S - 0.1).records
    assert e.show(yellow, NOW + 4 + REPEAT_GUARD_S).records  # shown again later: decided again


def test_not_a_health_code_is_a_notice_that_records_nothing(pki: Pki) -> None:
    e = Entrance(pki)
    step = e.show("https://qr.alipay.com/fkx12345", NOW)
    assert not step.records and e.m.state.outcome is Outcome.NOT_A_CODE and e.m.state.phase is Phase.RESULT
    assert e.m.state.deadline == NOW + e.m.timeouts.pass_s
    assert e.show(e.code(1, **YELLOW), NOW + 0.1).records  # the health code that follows: at once
    assert not e.show("wxp://f2f0abc", NOW + 1).records and e.m.state.waiting is None  # nothing to wait for
    assert e.m.state.outcome is Outcome.YELLOW


def test_codes_wait_while_the_guard_types_a_manual_entry(pki: Pki) -> None:
    e = Entrance(pki)
    e.m.manual_started(NOW)
    e.show(e.code(1), NOW + 1)
    assert e.m.state.phase is Phase.MANUAL and e.m.state.waiting is not None
    assert e.m.dismissed(NOW + 2).rescan is not None  # cancelled: the next person is taken


@pytest.mark.parametrize(("claims", "temperature", "ctx_changes", "opens"), [
    ({}, 36.5, {}, True),
    ({}, 38.5, {}, False),
    (YELLOW, None, {}, False),
    (RED, None, {}, False),
    ({"color": Color.RED, "reasons": (101,)}, None, {}, False),
    ({}, None, {"freshness": Freshness(offline_too_long=True)}, False),
])
def test_the_gate_opens_only_for_an_allowed_recorded_decision(pki: Pki, claims: dict[str, object],
                                                             temperature: float | None,
                                                             ctx_changes: dict[str, object], opens: bool) -> None:
    e = Entrance(pki, ctx=pki.context(**ctx_changes))
    step = e.m.scanned(scan(e.code(1, **claims), e.ctx, NOW), e.ctx, NOW)
    if temperature is not None:
        step = e.m.temperature_entered(temperature, NOW)
    assert not step.open_gate  # never before the record is durable
    (event,) = step.records
    assert e.m.recorded("some other event", NOW).open_gate is False
    assert e.m.recorded(event.event_id, NOW).open_gate is opens is event.allow
    assert e.m.recorded(event.event_id, NOW).open_gate is False  # once


def test_no_gate_for_an_abandoned_visit_or_a_late_record(pki: Pki) -> None:
    e = Entrance(pki)
    e.m.scanned(scan(e.code(1), e.ctx, NOW), e.ctx, NOW)
    (event,) = e.m.temperature_entered(36.5, NOW).records
    e.m.reset(NOW)  # out of service: the record failed to confirm in time
    assert not e.m.recorded(event.event_id, NOW).open_gate
    e.m.scanned(scan(e.code(2), e.ctx, NOW), e.ctx, NOW)
    (abandoned,) = e.m.dismissed(NOW).records
    assert not e.m.recorded(abandoned.event_id, NOW).open_gate


@pytest.mark.parametrize(("outcome", "timeouts", "seconds"), [
    (Outcome.PASS, Timeouts(pass_s=3), 3), (Outcome.MANUAL, Timeouts(pass_s=2), 2),
    (Outcome.YELLOW, Timeouts(refused_s=10), 10), (Outcome.INVALID, Timeouts(refused_s=2), MIN_HOLD_S),
    (Outcome.FEVER, Timeouts(staff_s=0), None), (Outcome.RED_HOSPITAL, Timeouts(staff_s=1), MIN_HOLD_S),
    (Outcome.CANNOT_VERIFY, Timeouts(staff_s=30), 30), (Outcome.NOT_A_CODE, Timeouts(pass_s=3), 3),
])
def test_time_on_screen_per_outcome(outcome: Outcome, timeouts: Timeouts, seconds: float | None) -> None:
    assert timeouts.on_screen_s(outcome) == seconds


class _Cache:
    """A real in-memory status cache that a sync can change under the machine."""

    def __init__(self) -> None:
        self.entries: dict[bytes, StatusEntry] = {}

    def lookup(self, hid: bytes) -> StatusEntry | None:
        return self.entries.get(hid)


def test_a_prompt_is_verified_again_when_the_data_changes(pki: Pki) -> None:
    cache = _Cache()
    e = Entrance(pki, ctx=pki.context(cache=cache))
    green = e.code(1)
    e.show(green, NOW)
    assert e.m.state.phase is Phase.PROMPT
    cache.entries[bytes([1]) * 16] = StatusEntry(Color.RED, (103,), NOW + 1)  # a sync turned them red
    step = e.m.data_changed(NOW + 2)
    assert step.rescan is not None and step.rescan.text == green and not step.records
    assert e.show(green, NOW + 2).records  # the same code, verified on today's data: final
    assert e.m.state.decision.action == "turn_back_isolation"
    assert e.m.temperature_entered(36.5, NOW + 3).records == ()  # no pass for a typed temperature
    assert e.gate == 0 and e.m.state.outcome is Outcome.RED_TURN_BACK


def test_a_change_that_does_not_concern_the_prompt_changes_nothing(pki: Pki) -> None:
    cache = _Cache()
    e = Entrance(pki, ctx=pki.context(cache=cache))
    green = e.code(1)
    e.show(green, NOW)
    before = e.m.state
    cache.entries[bytes([9]) * 16] = StatusEntry(Color.RED, (103,), NOW + 1)  # somebody else
    step = e.m.data_changed(NOW + 2)
    assert step.rescan is not None
    e.show(green, NOW + 2)
    assert e.m.state.decision is before.decision and not e.m.state.refreshing  # the guard's typing stays
    e.show(green, NOW + 3)  # the phone still held up, without a data change: ignored as before
    assert e.m.state.decision is before.decision
    e.temperature(36.5, NOW + 4)
    assert e.m.state.outcome is Outcome.PASS and e.gate == 1


def test_data_changes_outside_a_prompt_verify_nothing(pki: Pki) -> None:
    e = Entrance(pki)
    assert e.m.data_changed(NOW).rescan is None  # scanning
    e.show(e.code(1, **YELLOW), NOW)
    assert e.m.data_changed(NOW).rescan is None  # a final decision stands


def test_a_gate_opening_is_withdrawn_when_the_allowed_visit_leaves_the_screen(pki: Pki) -> None:
    e = Entrance(pki)
    e.show(e.code(1), NOW)
    e.temperature(36.5, NOW)
    assert e.gate == 1
    step = e.show(e.code(2, **YELLOW), NOW + PASS_HOLD_S)  # the next person replaces the pass
    assert step.gate_withdrawn and e.m.state.outcome is Outcome.YELLOW
    assert not e.m.dismissed(NOW + PASS_HOLD_S + MIN_HOLD_S).gate_withdrawn  # a refusal opened nothing
    e.show(e.code(3), NOW + 10)
    e.temperature(36.5, NOW + 10)
    assert e.m.dismissed(NOW + 11).gate_withdrawn


def test_a_clock_set_back_moves_the_visit_times_with_it(pki: Pki) -> None:
    e = Entrance(pki, Timeouts(refused_s=10.0))
    yellow, green = e.code(1, **YELLOW), e.code(2)
    e.show(yellow, NOW)
    e.show(green, NOW + 1)  # waits
    back = NOW - 3600 + 1  # NTP steps the clock back an hour, one second after the refusal showed
    e.m.clock_stepped(back - (NOW + 1))
    assert e.m.dismissed(back + 1).state.outcome is Outcome.YELLOW  # the hold still counts
    assert e.m.wake_at() == back - 1 + 10  # the refusal still ends 10 s after it was shown
    step = e.m.due(back - 1 + 10)
    assert step.state.phase is Phase.SCANNING and step.rescan is not None and step.rescan.text == green
    assert e.show(yellow, back + 9 + REPEAT_GUARD_S).records  # a new visit after the guard's 4 s, not an hour
