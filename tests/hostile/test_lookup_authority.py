"""POST /v1/lookup on the reference authority under attack (spec 5.1), over loopback with a
real database: other spellings of one number are one person and one count against the
rate limit; nothing tells whether someone exists without a valid token; the number is in
no answer, error body or log record, at DEBUG, whatever is sent."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
import requests

from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.lookup_platform import PEOPLE, STRANGER, LookupPlatform, body, lookup_platform

KEY = load_public_pem((demo_keys_dir() / "distribution.pub.pem").read_bytes())
RED = PEOPLE["red-hospital"].id_number  # ends in a digit
X_PERSON = PEOPLE["red-turn-back"].id_number
assert X_PERSON.endswith("X")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def lp(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path, lookups_per_minute=8) as p:
        yield p


def post(lp: LookupPlatform, payload: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(lp.url + "/v1/lookup", json=payload, timeout=5,
                         headers={"Authorization": f"Bearer {lp.token}"} if headers is None else headers)


def found(resp: requests.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    payload: dict[str, Any] = cbor2.loads(open_document(resp.content, [KEY]))
    return payload


def test_other_spellings_are_one_person_and_count_alike(lp: LookupPlatform) -> None:
    """Lower-case x and spaces are the same person (same hid), and each is a lookup; full-width
    digits, other characters and a wrong check digit are refused before counting (400: they
    tell nothing); another doc_type is another document, counted all the same."""
    spaced = " ".join([X_PERSON[:6], X_PERSON[6:14], X_PERSON[14:]])
    hids = {found(post(lp, body(n)))["hid"] for n in (X_PERSON, X_PERSON.lower(), spaced, f"\t{X_PERSON}\u3000")}
    assert len(hids) == 1
    for refused in (X_PERSON.translate(FULL_WIDTH), X_PERSON[:-1] + "x\u0301", X_PERSON[:-1] + "0",
                    X_PERSON.replace("1", "\u0661", 1)):  # Arabic-Indic one
        assert post(lp, body(refused)).status_code == 400
    assert found(post(lp, body(RED, doc_type=2)))["found"] is False  # not the ID card's holder
    assert found(post(lp, body(RED)))["found"] is True
    assert [post(lp, body(n)).status_code for n in (RED, X_PERSON.lower(), STRANGER)] == [200, 200, 429]
    assert post(lp, body(RED, doc_type=3)).status_code == 429


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic Zm9vOmJhcg=="},
    {"authorization": "Token x"}, {"Authorization": "Bearer TY-XD-0001"},
])
def test_without_a_valid_token_nothing_tells_who_exists(lp: LookupPlatform, headers: dict[str, str]) -> None:
    answers = {(r.status_code, r.content) for r in (post(lp, body(n), headers) for n in (RED, STRANGER))}
    assert len(answers) == 1 and next(iter(answers))[0] == 401
    variants = [f"bearer {lp.token}", f"BEARER  {lp.token} "]  # RFC 7235: the scheme in any case
    assert [post(lp, body(RED), {"Authorization": v}).status_code for v in variants] == [200, 200]


def test_no_answer_error_or_log_record_holds_the_number(lp: LookupPlatform,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[bytes] = []
    for payload in (body(RED), body(STRANGER), body(RED[:-1] + "0"), body(RED + "1"), body(RED, nonce="zz" * 16),
                    body(RED, doc_type=9), {"doc_type": RED, "doc": RED, "nonce": RED}, [RED], RED,
                    body(RED[:-1] + "x"), body(RED.translate(FULL_WIDTH))):
        seen.append(post(lp, payload).content)
    for _ in range(10):
        seen.append(post(lp, body(RED)).content)  # into the rate limit
    logged = "\n".join(caplog.messages + [r.exc_text or "" for r in caplog.records])
    for text in [b.decode("utf-8", "replace") for b in seen] + [logged]:
        assert RED[4:14] not in text and RED.translate(FULL_WIDTH)[4:14] not in text
