"""What a visit's result is, for every screen and speaker: the outcome kinds, which of them
refuse or let in, what the visitor (the queue-facing screen) must do, and which spoken
phrase goes with each. Codes only; the GUI turns them into words (gui/texts.py)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What kind of result screen a decision gets: colour, icon, sound and timeout."""

    PASS = "pass"
    YELLOW = "yellow"
    RED_HOSPITAL = "red_hospital"
    RED_TURN_BACK = "red_turn_back"
    FEVER = "fever"
    INVALID = "invalid"
    CANNOT_VERIFY = "cannot_verify"
    REFUSED = "refused"  # an action a revised policy added that we have no special screen for
    PENDING = "pending"
    MANUAL = "manual"  # someone let in without a code (a manual entry without fever)
    NOT_A_CODE = "not_a_code"  # a payment or chat QR: "show your health code", nothing recorded (spec 7)


_OUTCOMES = {
    "pass": Outcome.PASS, "home_isolation": Outcome.YELLOW, "hospital_transfer": Outcome.RED_HOSPITAL,
    "turn_back_isolation": Outcome.RED_TURN_BACK, "fever_referral": Outcome.FEVER,
    "invalid_code": Outcome.INVALID, "cannot_verify": Outcome.CANNOT_VERIFY, "manual_entry": Outcome.MANUAL,
}
# Outcomes that need a guard to act: their screen stays until dismissed (issue 5).
STAFF_OUTCOMES = frozenset({Outcome.RED_HOSPITAL, Outcome.RED_TURN_BACK, Outcome.FEVER, Outcome.CANNOT_VERIFY})
# Outcomes that keep a person out: held on screen, never replaced by the next person's code.
REFUSALS = frozenset({Outcome.YELLOW, Outcome.RED_HOSPITAL, Outcome.RED_TURN_BACK, Outcome.FEVER,
                      Outcome.INVALID, Outcome.CANNOT_VERIFY, Outcome.REFUSED})


def outcome_of(action: str, allow: bool, pending: bool) -> Outcome:
    if pending:
        return Outcome.PENDING
    outcome = _OUTCOMES.get(action, Outcome.PASS if allow else Outcome.REFUSED)
    # A policy that lets in under a refusing action's name (or the reverse) is obeyed in its
    # `allow`; the screen never says "go in" for a refusal or "no entry" for someone let in.
    if allow != (outcome in (Outcome.PASS, Outcome.MANUAL)):
        return Outcome.PASS if allow else Outcome.REFUSED
    return outcome


class VisitorCue(StrEnum):
    """What the person at the front of the queue must do: no name, no ID, no reasons."""

    SHOW_CODE = "show_code"  # 请出示健康码
    TAKE_TEMPERATURE = "take_temperature"  # 请测体温
    WEAR_MASK = "wear_mask"  # 请佩戴口罩
    GO_IN = "go_in"  # 请通行
    WAIT_HERE = "wait_here"  # 请勿进入，在此等候
    PLACE_ID_CARD = "place_id_card"  # 请刷身份证: no phone, the ID card is looked up (spec 5.1)


class Phrase(StrEnum):
    """A spoken result, as China's entrance terminals say it (one audio file per language)."""

    SHOW_CODE = "show_code"  # 请出示健康码
    TAKE_TEMPERATURE = "take_temperature"  # 请测量体温
    WEAR_MASK = "wear_mask"  # 请佩戴口罩
    PASS = "pass"  # 绿码，体温正常，请通行
    MANUAL = "manual"  # 已登记，请通行
    YELLOW = "yellow"  # 黄码，请勿进入
    RED = "red"  # 红码，请勿进入，在此等候
    FEVER = "fever"  # 体温异常，请复测
    INVALID = "invalid"  # 无效健康码，请出示有效健康码
    CANNOT_VERIFY = "cannot_verify"  # 无法核验，请稍候
    REFUSED = "refused"  # 请勿进入，在此等候


_PHRASES = {
    Outcome.PASS: Phrase.PASS, Outcome.MANUAL: Phrase.MANUAL, Outcome.YELLOW: Phrase.YELLOW,
    Outcome.RED_HOSPITAL: Phrase.RED, Outcome.RED_TURN_BACK: Phrase.RED, Outcome.FEVER: Phrase.FEVER,
    Outcome.INVALID: Phrase.INVALID, Outcome.CANNOT_VERIFY: Phrase.CANNOT_VERIFY,
    Outcome.REFUSED: Phrase.REFUSED, Outcome.NOT_A_CODE: Phrase.SHOW_CODE,
}
_PENDING = {"measure_temperature": (VisitorCue.TAKE_TEMPERATURE, Phrase.TAKE_TEMPERATURE),
            "wear_mask": (VisitorCue.WEAR_MASK, Phrase.WEAR_MASK)}


def cue_of(outcome: Outcome | None, action: str | None = None) -> VisitorCue:
    """The visitor's instruction for an outcome (None: waiting for a code). `action` names
    what a pending visit waits for; a pending action this build does not know: wait."""
    if outcome is None or outcome is Outcome.NOT_A_CODE:
        return VisitorCue.SHOW_CODE
    if outcome is Outcome.PENDING:
        return _PENDING.get(action or "", (VisitorCue.WAIT_HERE, Phrase.REFUSED))[0]
    return VisitorCue.GO_IN if outcome in (Outcome.PASS, Outcome.MANUAL) else VisitorCue.WAIT_HERE


def phrase_of(outcome: Outcome | None, action: str | None = None) -> Phrase | None:
    """The phrase spoken when this outcome reaches the screen; None: say nothing (waiting)."""
    if outcome is None:
        return None
    if outcome is Outcome.PENDING:
        return _PENDING.get(action or "", (VisitorCue.WAIT_HERE, None))[1]
    return _PHRASES[outcome]
