"""What the visitor sees and hears for each visit state (core.outcomes, core.visit)."""

from __future__ import annotations

import pytest

from checkpoint_app.core.checkpoint import scan
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.events import Station
from checkpoint_app.core.outcomes import REFUSALS, Outcome, Phrase, VisitorCue, cue_of, outcome_of, phrase_of
from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import spoken_phrase, visitor_cue
from tests.support.core_pki import NOW, Pki

STATION = Station("CP-1", "venue-1", "mall")


def test_every_outcome_has_a_cue_and_a_phrase() -> None:
    for outcome in Outcome:
        cue = cue_of(outcome, "measure_temperature")
        if outcome in REFUSALS:
            assert cue is VisitorCue.WAIT_HERE, outcome
        assert phrase_of(outcome, "measure_temperature") in Phrase
    assert cue_of(Outcome.PASS) is cue_of(Outcome.MANUAL) is VisitorCue.GO_IN
    assert cue_of(None) is cue_of(Outcome.NOT_A_CODE) is VisitorCue.SHOW_CODE
    assert cue_of(Outcome.PENDING, "wear_mask") is VisitorCue.WEAR_MASK
    assert cue_of(Outcome.PENDING, "a_new_pending_action") is VisitorCue.WAIT_HERE
    assert phrase_of(None) is None


def test_the_screen_never_contradicts_allow() -> None:
    assert outcome_of("pass", False, False) is Outcome.REFUSED  # a revised policy that keeps out under "pass"
    assert outcome_of("home_isolation", True, False) is Outcome.PASS
    assert outcome_of("a_new_refusal", False, False) is Outcome.REFUSED


@pytest.mark.parametrize(("color", "reasons", "cue", "phrase"), [
    (Color.GREEN, (), VisitorCue.TAKE_TEMPERATURE, Phrase.TAKE_TEMPERATURE),
    (Color.YELLOW, (201,), VisitorCue.WAIT_HERE, Phrase.YELLOW),
    (Color.RED, (101,), VisitorCue.WAIT_HERE, Phrase.RED),
])
def test_visit_states_map_to_cues(pki: Pki, color: Color, reasons: tuple[int, ...], cue: VisitorCue,
                                  phrase: Phrase) -> None:
    m = VisitMachine(STATION)
    assert visitor_cue(m.state) is VisitorCue.SHOW_CODE and spoken_phrase(m.state) is None
    ctx = pki.context()
    step = m.scanned(scan(pki.issue(color=color, reasons=reasons), ctx, NOW), ctx, NOW)
    for event in step.records:
        assert visitor_cue(m.state) is None  # being recorded: the screen keeps what it shows
        m.recorded(event.event_id, NOW)
    assert visitor_cue(m.state) is cue and spoken_phrase(m.state) is phrase
