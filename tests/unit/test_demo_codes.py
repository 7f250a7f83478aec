"""The demo codes verify as their labels say against the bundled demo documents."""

from __future__ import annotations

import time

from checkpoint_app.core.checkpoint import Context, Inputs, decide, scan
from checkpoint_app.core.trust.bundled import bundled_documents
from checkpoint_app.demo.people import demo_codes


def test_demo_codes_decide_as_labelled() -> None:
    trust, policy = bundled_documents()
    ctx = Context(trust=trust, policy=policy)
    now = int(time.time())
    got = {c.label: decide(scan(c.text, ctx, now), Inputs(36.6, True), ctx) for c in demo_codes(now)}
    assert {label: d.action for label, d in got.items()} == {
        "green": "pass", "yellow": "home_isolation", "red-hospital": "hospital_transfer",
        "red-turn-back": "turn_back_isolation", "green-whitelist": "pass", "expired": "invalid_code",
        "forged": "invalid_code"}
    assert str(got["forged"].error) == "BAD_SIGNATURE" and str(got["expired"].error) == "EXPIRED"
