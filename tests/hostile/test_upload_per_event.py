"""The platform checks each uploaded event on its own (spec 5; issue 9, item 3): an event it
will never accept is answered under `rejected` with the reason, the rest of its batch is
taken, and no event's content makes the request fail. `400` only for a body that is not a
batch. Raw bodies over real HTTP to the reference authority (SQLite)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.store_world import World, loopback_platform

GOOD = {"event_id": "good-1", "ts": 1_583_200_123, "venue_id": "140105-mall-0007", "venue_type": "mall",
        "hid": "ab" * 16, "iss": "140000", "code_color": "green", "color": "green", "reasons": [],
        "temperature_c": 36.6, "mask": True, "action": "pass", "allow": True, "error": None,
        "policy_serial": 7, "operator": "guard-03"}

# (what is wrong, the event's fields over GOOD, as raw JSON text so that NaN and 1e400 get through,
#  a word the reason must contain)
HOSTILE = [
    ("millisecond ts", '"ts": 1583200123000', "ts"),
    # The four (1e20, 1e12, -1e12, 2^40), each as JSON writes it as an integer and as a float.
    ("ts 1e20", '"ts": 1e20', "ts"),
    ("ts 10^20", f'"ts": {10**20}', "ts"),
    ("ts 1e12", '"ts": 1e12', "ts"),
    ("ts 10^12", '"ts": 1000000000000', "ts"),
    ("ts 10^12 as a float", '"ts": 1000000000000.0', "ts"),
    ("ts -1e12", '"ts": -1e12', "ts"),
    ("ts -10^12", '"ts": -1000000000000', "ts"),
    ("ts 2^40", f'"ts": {2**40}', "ts"),
    ("ts 2^40 as a float", f'"ts": {float(2**40)}', "ts"),
    ("ts 2^70", f'"ts": {2**70}', "ts"),
    ("ts as text", '"ts": "1583200123"', "ts"),
    ("ts true", '"ts": true', "ts"),
    ("ts before 2020", '"ts": 1577836799', "ts"),
    ("temperature NaN", '"temperature_c": NaN', "temperature_c"),
    ("temperature Infinity", '"temperature_c": Infinity', "temperature_c"),
    ("temperature 1e400", '"temperature_c": 1e400', "temperature_c"),
    ("temperature as text", '"temperature_c": "36.6"', "temperature_c"),
    ("temperature 1e300", '"temperature_c": 1e300', "temperature_c"),
    ("hid not hex", '"hid": "not-hex-not-hex-not-hex-not-hex"', "hid"),
    ("reasons not a list", '"reasons": 103', "reasons"),
    ("reason 2^70", f'"reasons": [{2**70}]', "reasons"),
    ("colour purple", '"color": "purple"', "color"),
    ("allow as text", '"allow": "yes"', "allow"),
    ("action a list", '"action": ["pass"]', "action"),
    ("action missing", None, "action"),
    ("policy_serial -1", '"policy_serial": -1', "policy_serial"),
    ("venue_id a number", '"venue_id": 140105', "venue_id"),
    ("operator 10 kB", f'"operator": "{"x" * 10_000}"', "operator"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with loopback_platform(tmp_path_factory.mktemp("platform")) as w:
        yield w


def _post(world: World, text: str) -> requests.Response:
    return requests.post(world.url + "/v1/scans", data=text.encode(), timeout=10,
                         headers={"Authorization": f"Bearer {world.token}", "Content-Type": "application/json"})


def _event_text(eid: str, change: str | None) -> str:
    base = dict(GOOD, event_id=eid)
    if change is None:  # the field is dropped
        del base["action"]
        return json.dumps(base)
    key = change.split(":", 1)[0].strip().strip('"')
    base.pop(key)
    return json.dumps(base)[:-1] + ", " + change + "}"


def test_each_hostile_event_is_rejected_alone_and_its_batch_is_taken(world: World) -> None:
    hostile = [(f"bad-{i}", _event_text(f"bad-{i}", change), word) for i, (_, change, word) in enumerate(HOSTILE)]
    events = [json.dumps(GOOD), *(text for _, text, _ in hostile), json.dumps(dict(GOOD, event_id="good-2"))]
    resp = _post(world, '{"checkpoint_id": "TY-XD-0001", "events": [' + ", ".join(events) + "]}")
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    assert answer["accepted"] == ["good-1", "good-2"] and answer["duplicates"] == []
    reasons = {r["event_id"]: r["error"] for r in answer["rejected"]}
    assert set(reasons) == {eid for eid, _, _ in hostile}
    for (what, _, word), (eid, _, _) in zip(HOSTILE, hostile, strict=True):
        assert word in reasons[eid] and len(reasons[eid]) < 120, (what, reasons[eid])
    # Sent again (the answer was lost): the good ones are duplicates, the others rejected again.
    again = _post(world, '{"checkpoint_id": "TY-XD-0001", "events": [' + ", ".join(events) + "]}").json()
    assert again["accepted"] == [] and again["duplicates"] == ["good-1", "good-2"]
    assert len(again["rejected"]) == len(HOSTILE)


TS_CASES = [(what, change) for what, change, word in HOSTILE if word == "ts"]


@pytest.mark.parametrize(("what", "change"), TS_CASES, ids=[what for what, _ in TS_CASES])
def test_a_hostile_ts_alone_is_rejected_and_its_neighbour_taken(world: World, what: str, change: str) -> None:
    """Each `ts` on its own beside a good event: a 500 here would name the case that causes it."""
    eid, good = f"ts-{TS_CASES.index((what, change))}", dict(GOOD, event_id=f"ok-{what}")
    resp = _post(world, '{"checkpoint_id": "TY-XD-0001", "events": ['
                 + f"{_event_text(eid, change)}, {json.dumps(good)}]}}")
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["accepted"] == [good["event_id"]]
    assert [r["event_id"] for r in answer["rejected"]] == [eid] and "ts" in answer["rejected"][0]["error"]


@pytest.mark.parametrize("event", ['"an event as text"', "[1, 2]", "null", "{}", '{"event_id": 5}',
                                   '{"event_id": "' + "x" * 65 + '"}'])
def test_an_event_without_a_usable_id_is_rejected_unnamed(world: World, event: str) -> None:
    resp = _post(world, '{"checkpoint_id": "TY-XD-0001", "events": [' + event + ", "
                 + json.dumps(dict(GOOD, event_id="named-ok")) + "]}")
    assert resp.status_code == 200
    assert resp.json()["rejected"][0]["event_id"] is None and resp.json()["accepted"] in (["named-ok"], [])


@pytest.mark.parametrize("body", ["not json", "[]", '{"events": 5}', '{"checkpoint_id": "TY-XD-0001"}',
                                  '"text"', ""])
def test_only_a_body_that_is_not_a_batch_is_400(world: World, body: str) -> None:
    resp = _post(world, body)
    assert resp.status_code == 400 and "error" in resp.json()


def test_the_stored_body_keeps_only_the_spec_fields(world: World) -> None:
    ev = dict(GOOD, event_id="private-1", name="王小廉", doc="140105199001010916")
    assert _post(world, json.dumps({"checkpoint_id": "TY-XD-0001", "events": [ev]})).json()["accepted"] == ["private-1"]
    db = Path(str(world.authority.engine.url.database))
    for path in (db, db.with_name(db.name + "-wal")):
        held = path.read_bytes() if path.exists() else b""
        assert "王小廉".encode() not in held and b"140105199001010916" not in held
