"""The visit state machine: the flows of spec section 6 with the default policy, and the
record-before-show rule of section 7."""

from __future__ import annotations

import pytest

from checkpoint_app.core.checkpoint import scan
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.events import Station
from checkpoint_app.core.manual_entry import manual_entry_event, parse_keyed_temperature
from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import Phase
from tests.support.core_pki import NOW, Pki

STATION = Station("CP-1", "venue-1", "mall")


def _start(pki: Pki, **code: object) -> tuple[VisitMachine, object]:
    m = VisitMachine(STATION)
    ctx = pki.context()
    return m, m.scanned(scan(pki.issue(**code), ctx, NOW), ctx, NOW)


def _show(m: VisitMachine, step: object) -> None:
    (event,) = step.records  # type: ignore[attr-defined]
    assert m.state.phase is Phase.RECORDING and m.state.awaiting == event
    m.recorded(event.event_id, NOW)
    assert m.state.phase is Phase.RESULT


def test_green_asks_for_temperature_then_passes_after_record(pki: Pki) -> None:
    m, step = _start(pki)
    assert m.state.phase is Phase.PROMPT and m.state.outcome is Outcome.PENDING and not step.records
    step = m.temperature_entered(36.5, NOW + 3)
    assert m.state.decision.action == "pass"
    assert step.records[0].temperature_c == 36.5 and step.records[0].allow
    _show(m, step)
    assert m.state.outcome is Outcome.PASS


def test_no_mask_before_and_after_temperature(pki: Pki) -> None:
    m, _ = _start(pki)
    assert not m.mask_marked(False, NOW).records and m.state.decision.action == "measure_temperature"
    assert not m.temperature_entered(36.4, NOW).records
    assert m.state.decision.action == "wear_mask" and m.state.phase is Phase.PROMPT
    step = m.mask_marked(True, NOW)
    assert step.records[0].mask is True and m.state.decision.action == "pass"


def test_fever_is_final(pki: Pki) -> None:
    m, _ = _start(pki)
    step = m.temperature_entered(38.2, NOW)
    assert m.state.outcome is Outcome.FEVER and step.records[0].temperature_c == 38.2


def test_out_of_range_temperature_records_nothing(pki: Pki) -> None:
    m, _ = _start(pki)
    step = m.temperature_entered(12.0, NOW)
    assert not step.records and m.state.phase is Phase.PROMPT and m.state.rejected_temperature == 12.0


@pytest.mark.parametrize(("color", "reasons", "outcome"), [
    (Color.YELLOW, (201,), Outcome.YELLOW), (Color.RED, (101,), Outcome.RED_HOSPITAL),
    (Color.RED, (103,), Outcome.RED_TURN_BACK)])
def test_yellow_and_red_are_immediate(pki: Pki, color: Color, reasons: tuple[int, ...], outcome: Outcome) -> None:
    m, step = _start(pki, color=color, reasons=reasons)
    assert m.state.outcome is outcome
    _show(m, step)


def test_invalid_and_cannot_verify(pki: Pki) -> None:
    m = VisitMachine(STATION)
    ctx = pki.context()
    step = m.scanned(scan("JKM1:nonsense", ctx, NOW), ctx, NOW)
    assert m.state.outcome is Outcome.INVALID and step.records[0].error == "BASE45_INVALID"
    stale = pki.context(freshness=Freshness(offline_too_long=True))
    m = VisitMachine(STATION)
    m.scanned(scan(pki.issue(), stale, NOW), stale, NOW)
    assert m.state.outcome is Outcome.CANNOT_VERIFY


def test_a_prompt_left_is_recorded_as_abandoned(pki: Pki) -> None:
    m, _ = _start(pki)
    (ev,) = m.reset(NOW).records
    assert ev.kind == "abandoned" and not ev.allow and m.state.phase is Phase.SCANNING
    m, _ = _start(pki)
    (ev,) = m.dismissed(NOW + 1).records  # Esc or Del at the prompt
    assert ev.kind == "abandoned" and m.state.phase is Phase.SCANNING
    m, _ = _start(pki)
    (ev,) = m.due(NOW + m.timeouts.prompt_s).records  # left alone
    assert ev.kind == "abandoned"
    m, step = _start(pki, color=Color.YELLOW, reasons=(201,))
    _show(m, step)
    assert not m.reset(NOW).records  # a result screen is not abandoned


def test_late_record_confirmation_is_ignored(pki: Pki) -> None:
    m, step = _start(pki, color=Color.YELLOW, reasons=(201,))
    m.reset(NOW)
    m.recorded(step.records[0].event_id, NOW)
    assert m.state.phase is Phase.SCANNING


@pytest.mark.parametrize(("keys", "value"), [("365", 36.5), ("36.5", 36.5), ("37", 37.0), ("3", None),
                                             ("3655", None), ("", None), ("3..6", None), ("4a5", None),
                                             # float() and int() take these; a keypad cannot type them
                                             ("٣٦٥", None), ("3_6.5", None), ("nan", None), ("3.6e1", None),
                                             ("-36.5", None), ("36²", None)])
def test_keyed_temperature(keys: str, value: float | None) -> None:
    assert parse_keyed_temperature(keys) == value


def test_manual_entry_waits_for_its_record(pki: Pki) -> None:
    m = VisitMachine(STATION)
    assert not m.manual_entry("elderly", 36.5, pki.policy, NOW).records  # only once the guard opened it
    m.manual_started(NOW)
    assert m.state.phase is Phase.MANUAL
    step = m.manual_entry("elderly", 36.5, pki.policy, NOW)
    (event,) = step.records
    assert event.kind == "manual" and m.state.outcome is Outcome.MANUAL and m.state.phase is Phase.RECORDING
    assert m.recorded(event.event_id, NOW).open_gate
    assert m.state.phase is Phase.RESULT


def test_manual_entry_with_fever_is_a_fever_and_keeps_the_gate_shut(pki: Pki) -> None:
    m = VisitMachine(STATION)
    m.manual_started(NOW)
    (event,) = m.manual_entry("no_smartphone", 38.5, pki.policy, NOW).records
    assert (event.action, event.allow, event.kind, event.temperature_c) == ("fever_referral", False, "manual", 38.5)
    assert m.state.outcome is Outcome.FEVER
    assert not m.recorded(event.event_id, NOW).open_gate
    assert m.state.deadline is None  # a fever stays until dismissed


def test_no_mask_marked_before_the_code_carries_into_the_visit(pki: Pki) -> None:
    """The guard sees the next person arrive without a mask and presses M before the scan."""
    m = VisitMachine(STATION)
    ctx = pki.context()
    m.mask_marked(False, NOW)
    assert m.state.phase is Phase.SCANNING and m.state.next_mask is False
    m.scanned(scan(pki.issue(), ctx, NOW), ctx, NOW)
    assert m.state.decision.inputs.mask is False and m.state.next_mask is None  # consumed by this visit
    m.temperature_entered(36.5, NOW)
    assert m.state.phase is Phase.PROMPT and m.state.decision.action == "wear_mask"
    # K while waiting takes the mark back; a mark never outlives the visit it was for
    m2 = VisitMachine(STATION)
    m2.mask_marked(False, NOW)
    m2.mask_marked(True, NOW)
    m2.scanned(scan(pki.issue(), ctx, NOW), ctx, NOW)
    assert m2.state.decision.inputs.mask is None


def test_manual_entry_event_checks_the_range_and_refuses_a_fever(pki: Pki) -> None:
    from checkpoint_app.core.checkpoint import TemperatureOutOfRange

    ok = manual_entry_event(STATION, pki.policy, "elderly", 36.6, NOW)
    assert (ok.kind, ok.allow, ok.manual_reason, ok.hid, ok.policy_serial) == ("manual", True, "elderly", None, 1)
    fever = manual_entry_event(STATION, pki.policy, "elderly", 37.3, NOW)
    assert (fever.allow, fever.action) == (False, "fever_referral")
    with pytest.raises(TemperatureOutOfRange):
        manual_entry_event(STATION, pki.policy, "elderly", 45.0, NOW)
