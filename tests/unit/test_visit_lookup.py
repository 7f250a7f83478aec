"""Lookups by ID document in the visit (spec 5.1, core.visit): a found person is decided and
recorded like a code, the gate waits for the record, a person is never refused for the
network (no answer leads to the manual record), and an answer to an abandoned lookup is
nobody's."""

from __future__ import annotations

import cbor2
import pytest

from checkpoint_app.core.checkpoint import Scan, scan
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.events import Station
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.lookup.answer import check_answer
from checkpoint_app.core.lookup.decide import lookup_context, lookup_scan
from checkpoint_app.core.outcomes import Outcome, VisitorCue
from checkpoint_app.core.trust.documents import sign_document
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import LOOKUP_WAIT_S, MIN_HOLD_S, Phase, Step, visitor_cue
from tests.support.core_pki import HID, NOW, Pki

STATION = Station("CP-1", "140105-mall-1", "mall")
DOC = IdDocument(1, "140105199001010913")
MASKED = "1401**********0913"
NONCE = bytes(16)


def answer_scan(pki: Pki, t: float, **payload: object) -> Scan:
    """A verified platform answer for DOC, as the lookup thread hands it on."""
    body = {"type": "lookup", "at": int(t), "nonce": NONCE, "found": True, "hid": HID, "iss": "140000",
            "color": 0, "reasons": [], "effective_at": NOW - 3600, "name": "王*廉"} | payload
    signed = sign_document(pki.distribution, cbor2.dumps(body))
    return lookup_scan(check_answer(signed, [pki.distribution.public_key()], NONCE, int(t), 300), DOC, int(t))


class Entrance:
    def __init__(self, pki: Pki) -> None:
        self.pki, self.m, self.gate = pki, VisitMachine(STATION), 0
        self.ctx = lookup_context(pki.context())
        self.recorded: list[object] = []

    def land(self, step: Step, t: float) -> Step:
        for event in step.records:
            self.recorded.append(event)
            self.gate += self.m.recorded(event.event_id, t).open_gate
        return step


def test_a_found_person_is_decided_and_recorded_like_a_code(pki: Pki) -> None:
    e, t = Entrance(pki), float(NOW)
    step = e.m.lookup_started(1, MASKED, t)
    assert step.state.phase is Phase.LOOKUP and step.state.lookup is not None and step.state.lookup.masked == MASKED
    assert e.m.hold_until() == float("inf")  # a code read meanwhile waits
    e.land(e.m.looked_up(1, answer_scan(pki, t), e.ctx, t + 1), t + 1)
    assert e.m.state.phase is Phase.PROMPT and e.m.state.decision is not None
    assert e.m.state.decision.action == "measure_temperature" and e.gate == 0
    e.land(e.m.temperature_entered(36.5, t + 2), t + 2)
    assert e.m.state.outcome is Outcome.PASS and e.gate == 1
    [event] = e.recorded
    assert event.source == "id_lookup" and event.hid == HID.hex() and event.allow  # type: ignore[attr-defined]


def test_a_red_person_is_refused_and_not_found_is_an_invalid_code(pki: Pki) -> None:
    e, t = Entrance(pki), float(NOW)
    e.m.lookup_started(1, MASKED, t)
    e.land(e.m.looked_up(1, answer_scan(pki, t, color=2, reasons=[103]), e.ctx, t), t)
    assert e.m.state.outcome is Outcome.RED_TURN_BACK and e.gate == 0
    assert e.m.lookup_started(2, MASKED, t + 1).state.phase is Phase.RESULT  # a refusal holds
    e.land(e.m.dismissed(t + MIN_HOLD_S), t + MIN_HOLD_S)
    e.m.lookup_started(3, MASKED, t + 5)
    e.land(e.m.looked_up(3, answer_scan(pki, t, found=False), e.ctx, t + 5), t + 5)
    assert e.m.state.outcome is Outcome.INVALID and str(e.m.state.decision.error) == "NOT_FOUND"  # type: ignore[union-attr]


@pytest.mark.parametrize("how", ["failed", "deadline"])
def test_no_answer_leads_to_the_manual_record_never_to_a_refusal(pki: Pki, how: str) -> None:
    e, t = Entrance(pki), float(NOW)
    e.m.lookup_started(1, MASKED, t)
    assert e.m.wake_at() == t + LOOKUP_WAIT_S
    step = e.m.lookup_failed(1, t + 2) if how == "failed" else e.m.due(t + LOOKUP_WAIT_S)
    assert step.state.phase is Phase.MANUAL and step.state.lookup_failed and step.records == ()
    assert visitor_cue(step.state) is not VisitorCue.WAIT_HERE
    e.land(e.m.manual_entry("no_smartphone", 36.5, pki.policy, t + 20), t + 20)
    [event] = e.recorded
    assert event.source == "manual" and event.allow and e.gate == 1  # type: ignore[attr-defined]


def test_an_answer_to_an_abandoned_lookup_is_nobody_s(pki: Pki) -> None:
    e, t = Entrance(pki), float(NOW)
    e.m.lookup_started(1, MASKED, t)
    e.land(e.m.dismissed(t + 1), t + 1)  # the guard gave up (Esc)
    assert e.m.state.phase is Phase.SCANNING
    assert e.m.looked_up(1, answer_scan(pki, t), e.ctx, t + 2).state.phase is Phase.SCANNING
    assert e.m.lookup_failed(1, t + 2).state.phase is Phase.SCANNING
    e.m.lookup_started(2, MASKED, t + 3)
    assert e.m.looked_up(1, answer_scan(pki, t), e.ctx, t + 4).state.phase is Phase.LOOKUP  # the old one's
    e.land(e.m.looked_up(2, answer_scan(pki, t), e.ctx, t + 4), t + 4)
    assert e.m.state.phase is Phase.PROMPT and len(e.recorded) == 0


def test_the_typed_number_path_and_what_takes_a_card(pki: Pki) -> None:
    e, t = Entrance(pki), float(NOW)
    step = e.m.id_entry_started(t)
    assert step.state.phase is Phase.ID_ENTRY and visitor_cue(step.state) is VisitorCue.PLACE_ID_CARD
    assert e.m.lookup_started(1, MASKED, t + 5).state.phase is Phase.LOOKUP  # typed, or a card placed meanwhile
    e.land(e.m.looked_up(1, answer_scan(pki, t), e.ctx, t + 6), t + 6)
    assert e.m.state.phase is Phase.PROMPT
    assert e.m.lookup_started(2, MASKED, t + 7).state.phase is Phase.PROMPT  # the guard is busy: not taken
    assert e.m.id_entry_started(t + 7).state.phase is Phase.PROMPT
    e.land(e.m.dismissed(t + 8), t + 8)  # abandoned at the prompt: recorded as such
    assert [ev.kind for ev in e.recorded] == ["abandoned"]  # type: ignore[attr-defined]
    e.land(e.m.id_entry_started(t + 9), t + 9)
    assert e.m.due(t + 9 + e.m.timeouts.prompt_s).state.phase is Phase.SCANNING  # typing left alone ends


def test_a_code_shown_during_a_lookup_waits_for_it(pki: Pki) -> None:
    e, t = Entrance(pki), float(NOW)
    e.m.lookup_started(1, MASKED, t)
    code = pki.issue(hid=bytes([7]) * 16, color=Color.GREEN)
    ctx = pki.context()
    step = e.m.scanned(scan(code, ctx, NOW), ctx, t + 1, text=code, t_frame=t + 1)
    assert step.state.phase is Phase.LOOKUP and step.state.waiting is not None
    e.land(e.m.looked_up(1, answer_scan(pki, t, color=1, reasons=[201]), e.ctx, t + 2), t + 2)
    assert e.m.state.outcome is Outcome.YELLOW and e.m.state.waiting is not None
    step = e.m.dismissed(t + 2 + MIN_HOLD_S)
    assert step.rescan is not None and step.rescan.text == code
