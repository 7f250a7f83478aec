"""The demo codes verify as their labels say against the bundled demo documents."""

from __future__ import annotations

import time

from checkpoint_app.authority.demo import demo_codes
from checkpoint_app.core.checkpoint import Context, Inputs, decide, scan
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list
from checkpoint_app.resources import resource


def test_demo_codes_decide_as_labelled() -> None:
    keys = [load_public_pem(resource("demo", "keys", "distribution.pub.pem").read_bytes())]
    ctx = Context(trust=parse_trust_list(open_document(resource("demo", "trust-list.cose").read_bytes(), keys)),
                  policy=parse_policy(open_document(resource("policy", "default-policy.cose").read_bytes(), keys)))
    now = int(time.time())
    got = {c.label: decide(scan(c.text, ctx, now), Inputs(36.6, True), ctx) for c in demo_codes(now)}
    assert {label: d.action for label, d in got.items()} == {
        "green": "pass", "yellow": "home_isolation", "red-hospital": "hospital_transfer",
        "red-turn-back": "turn_back_isolation", "green-whitelist": "pass", "expired": "invalid_code",
        "forged": "invalid_code"}
    assert str(got["forged"].error) == "BAD_SIGNATURE" and str(got["expired"].error) == "EXPIRED"
