"""The visit: final status (spec section 3, end), facts and the default policy (section 6)."""

from __future__ import annotations

import pytest

from checkpoint_app.core.checkpoint import (
    Context,
    Inputs,
    TemperatureOutOfRange,
    decide,
    decision_json,
    scan,
)
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.status import StatusEntry, final_status
from tests.support.core_pki import HID, NOW, Pki


class DictCache:
    """A real in-memory cache behind the same lookup interface as the SQLite store."""

    def __init__(self, entries: dict[bytes, StatusEntry]) -> None:
        self.entries = entries

    def lookup(self, hid: bytes) -> StatusEntry | None:
        return self.entries.get(hid)


NO_INPUTS = Inputs()


def action(pki: Pki, text: str, inputs: Inputs = NO_INPUTS, **ctx: object) -> str:
    c = pki.context(**ctx)
    return decide(scan(text, c, NOW), inputs, c).action


@pytest.mark.parametrize(("entry_at", "entry_color", "expected", "from_cache"), [
    (None, None, Color.YELLOW, False),  # no entry: the code stands
    (+10, Color.GREEN, Color.GREEN, True),  # cache newer: the cache stands, even when milder
    (-10, Color.RED, Color.YELLOW, False),  # code newer: the code stands
    (0, Color.RED, Color.RED, True),  # tie: the more severe
    (0, Color.GREEN, Color.YELLOW, False),  # tie: the more severe (the code's)
    (0, Color.YELLOW, Color.YELLOW, False),  # tie, equal colours: the code's reasons
])
def test_final_status_rule(pki: Pki, entry_at: int | None, entry_color: Color | None, expected: Color,
                           from_cache: bool) -> None:
    code = pki.code(color=Color.YELLOW, reasons=(201,))
    entry = None if entry_at is None else StatusEntry(entry_color or Color.GREEN, (999,), code.iat + entry_at)
    status = final_status(code, entry)
    assert status.color == expected
    assert status.reasons == ((999,) if from_cache else (201,))
    assert status.cache_entry is (entry is not None)


def test_cache_turns_a_green_code_red(pki: Pki) -> None:
    cache = DictCache({HID: StatusEntry(Color.RED, (103,), NOW - 60)})
    c = pki.context(cache=cache)
    d = decide(scan(pki.issue(), c, NOW), Inputs(36.5, True), c)
    out = decision_json(d)
    assert (out["code_color"], out["color"], out["reasons"], out["cache_entry"]) == ("green", "red", [103], True)
    assert d.action == "turn_back_isolation" and not d.allow


@pytest.mark.parametrize(("changes", "inputs", "expected"), [
    ({}, Inputs(), "measure_temperature"),
    ({}, Inputs(36.5), "pass"),  # mask not recorded: no rule fires on null
    ({}, Inputs(36.5, True), "pass"),
    ({}, Inputs(36.5, False), "wear_mask"),
    ({}, Inputs(37.3, True), "fever_referral"),  # at the threshold is fever
    ({}, Inputs(37.2, True), "pass"),
    ({}, Inputs(38.0, False), "fever_referral"),  # fever outranks the mask
    ({"color": Color.YELLOW, "reasons": (204,)}, Inputs(), "home_isolation"),
    ({"color": Color.RED, "reasons": (103,)}, Inputs(36.5, True), "turn_back_isolation"),
    ({"color": Color.RED, "reasons": (105, 102)}, Inputs(), "hospital_transfer"),
    ({"color": Color.RED, "reasons": (101,)}, Inputs(), "hospital_transfer"),
    ({"color": Color.GREEN, "reasons": (301,)}, Inputs(36.6, True), "pass"),
])
def test_default_policy(pki: Pki, changes: dict[str, object], inputs: Inputs, expected: str) -> None:
    assert action(pki, pki.issue(**changes), inputs) == expected


def test_invalid_code_is_refused_before_anything_else(pki: Pki) -> None:
    c = pki.context(freshness=Freshness(offline_too_long=True))
    d = decide(scan("JKM1:" + "0" * 6, c, NOW), Inputs(36.5, True), c)
    assert (d.action, d.allow, d.valid, str(d.error)) == ("invalid_code", False, False, "DECOMPRESS_FAILED")
    assert decision_json(d)["color"] is None


def test_stale_data_cannot_verify_a_green_but_still_stops_a_red(pki: Pki) -> None:
    for fresh in (Freshness(offline_too_long=True), Freshness(clock_error=True)):
        assert action(pki, pki.issue(), Inputs(36.5, True), freshness=fresh) == "cannot_verify"
        assert action(pki, pki.issue(color=Color.RED), freshness=fresh) == "turn_back_isolation"
    # cache_stale is a warning only
    assert action(pki, pki.issue(), Inputs(36.5, True), freshness=Freshness(cache_stale=True)) == "pass"


def test_temperature_out_of_range_is_an_input_error(pki: Pki) -> None:
    c = pki.context()
    s = scan(pki.issue(), c, NOW)
    for bad in (33.9, 43.1, -5.0):
        with pytest.raises(TemperatureOutOfRange):
            decide(s, Inputs(bad), c)
    assert decide(s, Inputs(34.0), c).action == "pass"
    assert decide(s, Inputs(43.0), c).action == "fever_referral"


def test_pending_actions_re_evaluate_after_each_input(pki: Pki) -> None:
    c = pki.context()
    s = scan(pki.issue(), c, NOW)
    steps = [Inputs(), Inputs(36.4), Inputs(36.4, False), Inputs(36.4, True)]
    got = [(d.action, d.pending, d.allow) for d in (decide(s, i, c) for i in steps)]
    assert got == [("measure_temperature", True, False), ("pass", False, True), ("wear_mask", True, False),
                   ("pass", False, True)]


def test_policy_facts_venue_type_and_code_age(pki: Pki, make_policy: object) -> None:
    """A policy revised for hospitals: codes older than an hour are refused there."""
    import json

    from checkpoint_app.core.trust.policy import parse_policy
    from tests.support.core_pki import default_policy_json

    doc = default_policy_json()
    doc["rules"].insert(1, {"id": "hospital-fresh-code", "then": "invalid_code", "if": {
        "and": [{"==": [{"var": "venue_type"}, "hospital"]}, {">": [{"var": "code_age_s"}, 3600]}]}})
    policy = parse_policy(json.dumps(doc).encode())
    old = pki.issue(iat=NOW - 7200)
    assert action(pki, old, Inputs(36.5, True), policy=policy, venue_type="hospital") == "invalid_code"
    assert action(pki, old, Inputs(36.5, True), policy=policy, venue_type="mall") == "pass"
    assert action(pki, pki.issue(iat=NOW - 60), Inputs(36.5, True), policy=policy, venue_type="hospital") == "pass"


def test_decision_json_has_the_section_9_fields(pki: Pki) -> None:
    c: Context = pki.context()
    out = decision_json(decide(scan(pki.issue(), c, NOW), Inputs(36.5, True), c))
    required = {"valid", "error", "iss", "kid", "iat", "exp", "hid", "name", "doc", "doc_type", "code_color", "color",
                "reasons", "cache_entry", "cache_stale", "action", "allow", "policy_serial"}
    assert required <= out.keys()
    assert out["hid"] == HID.hex() and out["name"] == "王*廉" and out["policy_serial"] == 1
