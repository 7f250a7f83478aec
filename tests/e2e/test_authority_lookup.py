"""POST /v1/lookup on the reference authority (spec 5.1): over loopback HTTP with a real
database. Bad input is a 4xx with a line that never holds the number; the rate limit holds
across processes; the database keeps no document number, nor a plain hash of one."""

from __future__ import annotations

import hashlib
import multiprocessing
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
import requests
from sqlalchemy import select

from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.db import lookups
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.demo.people import demo_keys_dir, hid_secret
from tests.support.lookup_platform import (
    PEOPLE,
    STRANGER,
    LookupPlatform,
    body,
    hammer,
    lookup_platform,
    open_authority,
)
from tests.support.postgres import postgres_url

KEY = load_public_pem((demo_keys_dir() / "distribution.pub.pem").read_bytes())


@pytest.fixture
def lp(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


def post(lp: LookupPlatform, payload: Any, token: str | None = None, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or lp.token}"}
    if "data" in kw:
        return requests.post(lp.url + "/v1/lookup", headers=headers, timeout=5, **kw)
    return requests.post(lp.url + "/v1/lookup", json=payload, headers=headers, timeout=5)


def answer(resp: requests.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/cose" and resp.headers["Cache-Control"] == "no-store"
    payload: dict[str, Any] = cbor2.loads(open_document(resp.content, [KEY]))
    return payload


def test_a_registered_person_is_found_with_the_status_log_s_colour(lp: LookupPlatform) -> None:
    person = PEOPLE["red-turn-back"]
    nonce = "a5" * 16
    before = int(time.time())
    got = answer(post(lp, body(person.id_number.lower(), nonce)))  # a lower-case x is the check X
    assert got["type"] == "lookup" and got["found"] is True and got["nonce"] == bytes.fromhex(nonce)
    assert got["hid"] == hid_for(hid_secret(), person.id_number) and got["iss"] == "140000"
    assert (got["color"], got["reasons"], got["name"]) == (2, [103], "赵*")
    assert before - 1 <= got["at"] <= time.time() + 1 and got["effective_at"] < got["at"]
    plain = answer(post(lp, body(PEOPLE["green"].id_number)))  # no status entry: green, no reasons
    assert (plain["found"], plain["color"], plain["reasons"], plain["name"]) == (True, 0, [], "王*廉")


def test_an_unknown_person_is_not_found(lp: LookupPlatform) -> None:
    got = answer(post(lp, body(STRANGER, "11" * 16)))
    assert got == {"type": "lookup", "at": got["at"], "nonce": bytes.fromhex("11" * 16), "found": False}
    passport = answer(post(lp, body("E12345678", doc_type=2)))
    assert passport["found"] is False


def test_a_status_change_reaches_the_next_lookup_but_not_before_it_is_due(lp: LookupPlatform) -> None:
    person = PEOPLE["green"]
    hid = hid_for(hid_secret(), person.id_number)
    now = int(time.time())
    lp.authority.set_statuses([(hid, 1, (202,), now - 5), (hid, 2, (101,), now + 3600)])
    got = answer(post(lp, body(person.id_number)))
    assert (got["color"], got["reasons"], got["effective_at"]) == (1, [202], now - 5)


@pytest.mark.parametrize(("payload", "words"), [
    (None, "not a JSON object"), ([1, 2], "not a JSON object"), ("x", "not a JSON object"),
    ({"doc": PEOPLE["green"].id_number, "nonce": "00" * 16}, "doc_type"),
    (body(PEOPLE["green"].id_number) | {"doc_type": "1"}, "doc_type"),
    (body(PEOPLE["green"].id_number) | {"doc_type": True}, "doc_type"),
    (body(PEOPLE["green"].id_number) | {"doc_type": 9}, "unknown document type"),
    (body("140105199001010916"), "ID_CHECK_DIGIT"),
    (body("14010519900101091"), "ID_LENGTH"),
    (body("1401051990010109169999"), "ID_LENGTH"),
    (body(PEOPLE["green"].id_number) | {"doc": 140105199001010913}, "doc is not"),
    (body("1" * 100), "doc is not"),
    (body(PEOPLE["green"].id_number, nonce="zz" * 16), "nonce"),
    (body(PEOPLE["green"].id_number, nonce="00" * 15), "nonce"),
    (body(PEOPLE["green"].id_number) | {"nonce": None}, "nonce"),
    (body("E1234/678", doc_type=2), "letters and digits"),
])
def test_a_bad_request_is_a_400_that_never_repeats_the_number(lp: LookupPlatform, payload: Any, words: str) -> None:
    resp = post(lp, payload) if payload is not None else post(lp, None, data=b"{not json", )
    assert resp.status_code == 400 and words in resp.json()["error"]
    for number in ("140105199001010916", "14010519900101091", PEOPLE["green"].id_number):
        assert number not in resp.text


def test_the_edges_of_the_request(lp: LookupPlatform) -> None:
    number = PEOPLE["green"].id_number
    assert post(lp, body(number), token="nope").status_code == 401
    assert requests.post(lp.url + "/v1/lookup", json=body(number), timeout=5).status_code == 401
    big = post(lp, None, data=b'{"doc_type": 1, "doc": "' + b"1" * 5000 + b'"}')
    assert big.status_code == 413
    chunked = post(lp, None, data=iter([b'{"doc_type": 1, "doc": "', b"1" * 5000, b'"}']))
    assert chunked.status_code == 413  # the server counts a chunked body before the route sees it
    assert requests.get(lp.url + "/v1/lookup", headers={"Authorization": f"Bearer {lp.token}"},
                        timeout=5).status_code == 405
    with lp.authority.engine.connect() as conn:  # none of these was a lookup
        assert conn.execute(select(lookups)).all() == []


def test_a_platform_without_the_hid_secret_answers_501(lp: LookupPlatform) -> None:
    lp.authority.hid_secret = None
    resp = post(lp, body(PEOPLE["green"].id_number))
    assert resp.status_code == 501 and "--hid-key" in resp.json()["error"]


def test_the_rate_limit_and_the_lookup_log(tmp_path: Path) -> None:
    with lookup_platform(tmp_path, lookups_per_minute=5) as lp:
        other = lp.authority.register_checkpoint("TY-XD-0002")
        codes = [post(lp, body(PEOPLE["yellow"].id_number)).status_code for _ in range(7)]
        assert codes == [200] * 5 + [429] * 2
        refused = post(lp, body(PEOPLE["yellow"].id_number))
        assert 1 <= int(refused.headers["Retry-After"]) <= 60 and "per minute" in refused.json()["error"]
        assert post(lp, body(PEOPLE["yellow"].id_number), token=other).status_code == 200  # per checkpoint
        with lp.authority.engine.connect() as conn:
            rows = conn.execute(select(lookups.c.checkpoint_id, lookups.c.at)).all()
        assert sorted(r.checkpoint_id for r in rows) == ["TY-XD-0001"] * 5 + ["TY-XD-0002"]
        assert all(abs(r.at - time.time()) < 30 for r in rows)
        lp.authority.clock = lambda: time.time() + 61  # a minute later the checkpoint may ask again
        assert post(lp, body(PEOPLE["yellow"].id_number)).status_code == 200


def _race(url: str, processes: int, each: int, limit: int) -> tuple[int, int]:
    authority = open_authority(url, lookups_per_minute=limit)
    authority.register_checkpoint("RACE-1")
    authority.engine.dispose()
    mp = multiprocessing.get_context("spawn")  # fresh interpreters: nothing inherited from pytest's threads
    start, results = mp.Barrier(processes), mp.Queue()
    workers = [mp.Process(target=hammer, args=(url, "RACE-1", each, start, results)) for _ in range(processes)]
    for w in workers:
        w.start()
    counts = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(10)
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def test_the_rate_limit_holds_across_processes_on_sqlite(tmp_path: Path) -> None:
    answered, refused = _race(f"sqlite:///{tmp_path / 'race.sqlite3'}", processes=3, each=15, limit=30)
    assert (answered, refused) == (30, 15)


def test_the_rate_limit_holds_across_processes_on_postgresql() -> None:
    pgserver = pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    with postgres_url(pgserver) as url:
        assert _race(url, processes=3, each=15, limit=30) == (30, 15)


def test_the_database_keeps_no_number_nor_a_plain_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Operator commands register people for lookups; every file of the platform afterwards
    is searched for the number, its SHA-256 and its MD5, raw and in hex."""
    import io

    db, secret = str(tmp_path / "a.sqlite3"), str(demo_keys_dir() / "hid-secret.bin")
    number, other = "140105199001010913", "14010819951111552X"
    monkeypatch.setattr(sys, "stdin", io.StringIO(number + "\n"))
    assert authority_main(["set-status", "--db", db, "--id-number", "-", "--hid-key", secret,
                           "--color", "yellow", "--reason", "201", "--name", "王小廉"]) == 0
    assert "lookups by document find it" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(other.lower() + "\n"))  # read once, for the hid and the lookup
    assert authority_main(["issue", "--key", str(demo_keys_dir() / "issuer-140000.pem"), "--color", "green",
                           "--name", "赵丽", "--id-number", "-", "--hid-key", secret, "--db", db]) == 0
    assert capsys.readouterr().out.startswith("JKM1:")
    assert authority_main(["set-status", "--db", db, "--id-number", "140105199001010916", "--hid-key", secret,
                           "--color", "red"]) == 2
    err = capsys.readouterr().err
    assert "ID_CHECK_DIGIT" in err and "140105199001010916" not in err
    authority = open_authority(f"sqlite:///{db}")
    token = authority.register_checkpoint("CP-1")
    assert token
    for doc, expected in ((number, (1, [201], "王*廉")), (other, (0, [], "赵*"))):
        got = cbor2.loads(open_document(authority.lookup("CP-1", body(doc)), [KEY]))
        assert (got["color"], got["reasons"], got["name"]) == expected
    authority.engine.dispose()
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        for n in (number, other):
            for form in (n.encode(), hashlib.sha256(n.encode()).digest(), hashlib.md5(n.encode()).digest()):
                assert form not in data and form.hex().encode() not in data, path
        assert "王小廉".encode() not in data
