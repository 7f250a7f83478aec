"""The forgery corpus in tests/data/forgeries (made by make_corpus.py there): each is
refused with the right code, quickly."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list
from checkpoint_app.core.verification import verify_code

CORPUS = Path(__file__).resolve().parents[1] / "data" / "forgeries"
CASES = [json.loads(line) for line in (CORPUS / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
KEYS = [load_public_pem((CORPUS / "distribution.pub.pem").read_bytes())]
TRUST = parse_trust_list(open_document((CORPUS / "trust-list.cose").read_bytes(), KEYS))
POLICY = parse_policy(open_document((CORPUS / "policy.cose").read_bytes(), KEYS))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_forgery_is_refused_with_the_right_code(case: dict[str, object]) -> None:
    start = time.perf_counter()
    v = verify_code(str(case["payload"]), TRUST, POLICY, int(str(case["at"])))
    elapsed = time.perf_counter() - start
    assert (None if v.error is None else str(v.error)) == case["error"]
    assert elapsed < 0.25, f"{case['id']} took {elapsed * 1000:.0f} ms"


def test_ten_megabyte_inputs_are_refused_quickly() -> None:
    # Spec 4.4: over 8,192 characters a text is refused before Base45 (BASE45_INVALID).
    for text, code in [("JKM1:" + "0" * 10_000_002, "BASE45_INVALID"),
                       ("JKM1:" + "A" * 10_000_000 + "a", "BASE45_INVALID"),
                       ("X" * 10_000_000, "NOT_A_HEALTH_CODE")]:
        start = time.perf_counter()
        assert str(verify_code(text, TRUST, POLICY, 1_600_000_000).error) == code
        assert time.perf_counter() - start < 1.0
