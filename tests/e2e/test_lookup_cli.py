"""checkpoint-app lookup (spec 5.1, 9) against the reference authority over loopback: found,
not found, the rate limit, a server that is down, answers that must not be believed, and the
number kept out of everything the checkpoint writes or sends."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checkpoint_app.authority.db import lookups, scans
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import hid_secret
from tests.support.lookup_platform import PEOPLE, ROOT_PEM, STRANGER, LookupPlatform, RecordingProxy, lookup_platform
from tests.support.station import configure_station

GREEN, RED = PEOPLE["green"].id_number, PEOPLE["red-turn-back"].id_number


@pytest.fixture
def lp(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


@pytest.fixture
def proxy(lp: LookupPlatform) -> Iterator[RecordingProxy]:
    p = RecordingProxy(lp.url)
    yield p
    p.stop()


def synced(tmp_path: Path, url: str, token: str) -> Path:
    """A data folder synced with the platform, at a configured station (for --record)."""
    data = tmp_path / "checkpoint"
    configure_station()
    assert main(["sync", "--once", "--server", url, "--token", token, "--root-key", str(ROOT_PEM),
                 "--data-dir", str(data)]) == 0
    return data


def lookup(data: Path, *args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    return main(["lookup", "--data-dir", str(data), *args])


def out_json(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1
    return json.loads(lines[0]), captured.err


def events(data: Path) -> list[dict[str, Any]]:
    with Store.open(data) as store:
        return [e.to_wire() for e in store.pending_events()]


def test_a_found_person_is_decided_like_a_code(tmp_path: Path, lp: LookupPlatform, capsys: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = synced(tmp_path, lp.url, lp.token)
    capsys.readouterr()
    assert lookup(data, "--json", "--doc-file", "-", stdin=RED.lower() + "\n", monkeypatch=monkeypatch) == 0
    obj, err = out_json(capsys)
    assert err == ""
    assert obj["valid"] and obj["error"] is None and obj["source"] == "id_lookup"
    assert obj["hid"] == hid_for(hid_secret(), RED).hex() and obj["name"] == "赵*" and obj["doc"] is None
    assert (obj["color"], obj["code_color"], obj["reasons"]) == ("red", "red", [103])
    assert (obj["action"], obj["allow"], obj["cache_stale"]) == ("turn_back_isolation", False, False)
    assert events(data) == []  # no --record: nothing written
    assert lookup(data, "--doc", GREEN, "--temperature", "36.6", "--mask", "yes") == 0
    assert capsys.readouterr().out.startswith("green (code green, reasons -, hid ")


def test_not_found_is_an_invalid_code(tmp_path: Path, lp: LookupPlatform, capsys: Any) -> None:
    data = synced(tmp_path, lp.url, lp.token)
    capsys.readouterr()
    assert lookup(data, "--json", "--doc", STRANGER, "--temperature", "36.5", "--record") == 1
    obj, _ = out_json(capsys)
    assert (obj["valid"], obj["error"], obj["action"], obj["allow"], obj["hid"]) == \
        (False, "NOT_FOUND", "invalid_code", False, None)
    [event] = events(data)
    assert (event["source"], event["action"], event["hid"], event["error"]) == \
        ("id_lookup", "invalid_code", None, "NOT_FOUND")


def test_a_wrong_check_digit_is_refused_before_anything_is_sent(tmp_path: Path, lp: LookupPlatform,
                                                                 proxy: RecordingProxy, capsys: Any) -> None:
    data = synced(tmp_path, proxy.url, lp.token)
    capsys.readouterr()
    for wrong in ("140105199001010916", "14010519900101091", "abc", "990105199001010913"):
        assert lookup(data, "--doc", wrong, "--record") == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.count("\n") == 1 and "nothing was sent" in captured.err
        assert wrong not in captured.err
    assert not [p for p, _ in proxy.sent if p == "/v1/lookup"]
    assert events(data) == []
    assert lookup(data, "--doc", "E1234/5678", "--doc-type", "2") == 2
    with pytest.raises(SystemExit) as usage:
        lookup(data, "--doc", GREEN, "--doc-type", "7")
    assert usage.value.code == 2


def test_the_rate_limit_is_no_answer_and_records_nothing(tmp_path: Path, capsys: Any) -> None:
    with lookup_platform(tmp_path, lookups_per_minute=2) as lp:
        data = synced(tmp_path, lp.url, lp.token)
        assert [lookup(data, "--doc", GREEN, "--temperature", "36.5", "--record") for _ in range(3)] == [0, 0, 1]
        lines = capsys.readouterr()
        assert lines.out.splitlines()[-1] == "NO ANSWER RATE_LIMITED -> cannot_verify"
        assert "record the person by hand" in lines.err and lines.err.count("\n") == 1
        assert len(events(data)) == 2
        assert lookup(data, "--json", "--doc", GREEN, "--record") == 1
        obj, _ = out_json(capsys)
        assert (obj["action"], obj["allow"], obj["error"], obj["source"]) == \
            ("cannot_verify", False, "RATE_LIMITED", "id_lookup")
        assert len(events(data)) == 2


def test_a_server_that_is_down_is_no_answer(tmp_path: Path, capsys: Any) -> None:
    with lookup_platform(tmp_path) as lp:
        data = synced(tmp_path, lp.url, lp.token)
    capsys.readouterr()
    started = time.monotonic()
    assert lookup(data, "--json", "--doc", RED, "--record") == 1
    assert time.monotonic() - started < 10
    obj, err = out_json(capsys)
    assert (obj["action"], obj["error"]) == ("cannot_verify", "NETWORK") and "NETWORK" in err
    assert events(data) == []


def test_answers_that_must_not_be_believed(tmp_path: Path, lp: LookupPlatform, proxy: RecordingProxy,
                                           capsys: Any) -> None:
    data = synced(tmp_path, proxy.url, lp.token)
    assert lookup(data, "--doc", GREEN, "--temperature", "36.5") == 0
    green = next(body for path, body in reversed(proxy.answers) if path == "/v1/lookup")
    proxy.replace = lambda path, body: green if path == "/v1/lookup" else body  # replay for the red person
    capsys.readouterr()
    assert lookup(data, "--json", "--doc", RED, "--record") == 1
    assert out_json(capsys)[0]["error"] == "WRONG_NONCE"
    proxy.replace = lambda path, body: body[:-1] + bytes([body[-1] ^ 1]) if path == "/v1/lookup" else body
    assert lookup(data, "--json", "--doc", RED, "--record") == 1
    assert out_json(capsys)[0]["error"] == "BAD_SIGNATURE"
    proxy.replace = None
    lp.authority.clock = lambda: time.time() - 400  # beyond the policy's 300 s of clock skew
    assert lookup(data, "--json", "--doc", RED, "--record") == 1
    assert out_json(capsys)[0]["error"] == "NOT_FRESH"
    assert events(data) == []


def test_configuration_errors_exit_2(tmp_path: Path, lp: LookupPlatform, capsys: Any) -> None:
    data = tmp_path / "never-synced"
    assert lookup(data, "--doc", GREEN) == 2
    assert "sync" in capsys.readouterr().err
    data = synced(tmp_path, lp.url, lp.token)
    with Store.open(data) as store:
        store.set_setting("server_url", "http://hc.example.gov.cn")
    capsys.readouterr()
    assert lookup(data, "--doc", GREEN) == 2
    assert "https://" in capsys.readouterr().err
    with Store.open(data) as store:
        store.set_setting("server_url", lp.url)
    assert lookup(data, "--doc", GREEN, "--temperature", "45") == 2
    assert "measure again" in capsys.readouterr().err
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_text("1" * 1000)
    for path in (tmp_path / "fifo", tmp_path, tmp_path / "big", tmp_path / "missing"):
        assert lookup(data, "--doc-file", str(path)) == 2
        assert capsys.readouterr().err.count("\n") == 1
    with lp.authority.engine.connect() as conn:
        assert conn.execute(select(lookups)).all() == []


def test_the_number_stays_out_of_the_data_folder_the_upload_and_the_output(
        tmp_path: Path, lp: LookupPlatform, proxy: RecordingProxy) -> None:
    """Real processes, the number through standard input: afterwards it is in no file of the
    data folder (store, WAL, logs), no byte that went to the platform except the lookup body,
    and nothing printed."""
    data = synced(tmp_path, proxy.url, lp.token)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    outputs = []
    for number, args in ((GREEN, ["--temperature", "36.6", "--mask", "yes"]), (RED, []), (STRANGER, [])):
        run = subprocess.run([sys.executable, "-m", "checkpoint_app", "lookup", "--data-dir", str(data),
                              "--doc-file", "-", "--record", "--json", *args], input=number + "\n",
                             capture_output=True, text=True, timeout=60, env=env)
        outputs.append(run.stdout + run.stderr)
        assert run.returncode in (0, 1) and json.loads(run.stdout)["source"] == "id_lookup"
    assert [json.loads(o.splitlines()[0])["action"] for o in outputs] == ["pass", "turn_back_isolation",
                                                                         "invalid_code"]
    assert main(["sync", "--once", "--data-dir", str(data)]) == 0
    uploads = [json.loads(body) for path, body in proxy.sent if path == "/v1/scans"]
    sent = [e for u in uploads for e in u["events"]]
    assert sorted(e["source"] for e in sent) == ["id_lookup"] * 3
    assert {e["hid"] for e in sent} == {hid_for(hid_secret(), GREEN).hex(), hid_for(hid_secret(), RED).hex(), None}
    for number in (GREEN, RED, STRANGER):
        bodies = [body for path, body in proxy.sent if path != "/v1/lookup"]
        assert not any(number.encode() in b or number[-8:].encode() in b for b in bodies)
        assert not any(number in o for o in outputs)
        for path in data.rglob("*"):
            if path.is_file():
                assert number.encode() not in path.read_bytes(), path
    assert sum(path == "/v1/lookup" for path, _ in proxy.sent) == 3
    with lp.authority.engine.connect() as conn:  # the platform keeps the source of each record
        kept = [json.loads(body) for (body,) in conn.execute(select(scans.c.body))]
    assert sorted(e["source"] for e in kept) == ["id_lookup"] * 3


def test_export_writes_the_three_sources_apart_and_never_a_name_or_number(tmp_path: Path, lp: LookupPlatform,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`checkpoint-app export` in its own process on a data folder that holds records of the three
    sources (spec 5.1): codes read by `verify --record`, lookups by `lookup --record`, and manual
    records as the window writes them. Each row carries its source; nothing names the person."""
    import csv
    import datetime as dt

    from checkpoint_app.authority.issuing import mask_name
    from checkpoint_app.core.configuration import load_configuration
    from checkpoint_app.core.events import manual_event
    from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes
    from tests.support.store_world import run_cli

    data = synced(tmp_path, lp.url, lp.token)
    codes = {c.label: c.text for c in demo_codes(int(time.time()))}
    assert main(["verify", "--data-dir", str(data), "--record", "--temperature", "36.5", "--mask", "yes",
                 codes["green"], codes["yellow"]]) == 0
    assert lookup(data, "--doc", GREEN, "--temperature", "36.6", "--record") == 0
    assert lookup(data, "--doc-file", "-", "--record", stdin=RED + "\n", monkeypatch=monkeypatch) == 0
    assert lookup(data, "--doc", STRANGER, "--record") == 1  # not found: recorded, with no hid
    station = load_configuration(None).require_station()  # the window's, from the settings synced() wrote
    with Store.open(data) as store:  # what the window's manual record writes (tests/qt/test_manual_entry.py)
        for reason in ("no_smartphone", "elderly"):
            store.record_event(manual_event(station, int(time.time()), reason, temperature_c=36.4))
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    days = ["--from", str(today - dt.timedelta(days=1)), "--to", str(today + dt.timedelta(days=1))]

    done = run_cli(["export", *days, "--data-dir", str(data)])
    assert done.code == 0 and done.err == "", done.err
    rows = list(csv.DictReader(io.StringIO(done.out)))
    by_source = {s: [r for r in rows if r["source"] == s] for s in ("code", "id_lookup", "manual")}
    assert {s: len(r) for s, r in by_source.items()} == {"code": 2, "id_lookup": 3, "manual": 2}
    assert len(rows) == 7 and {r["venue_id"] for r in rows} == {station.venue_id}
    assert sorted(r["color"] for r in by_source["code"]) == ["green", "yellow"]
    assert all(r["kind"] == "decision" and len(r["hid"]) == 32 for r in by_source["code"])
    assert sorted(r["hid"] for r in by_source["id_lookup"]) == sorted(
        ["", hid_for(hid_secret(), GREEN).hex(), hid_for(hid_secret(), RED).hex()])
    assert sorted(r["action"] for r in by_source["id_lookup"]) == ["invalid_code", "pass", "turn_back_isolation"]
    assert all(r["kind"] == "manual" and r["hid"] == "" for r in by_source["manual"])
    assert sorted(r["manual_reason"] for r in by_source["manual"]) == ["elderly", "no_smartphone"]

    out = tmp_path / "export.jsonl"
    done = run_cli(["export", *days, "--format", "jsonl", "--out", str(out), "--data-dir", str(data)])
    assert done.code == 0 and done.err == "7 scan events written to " + str(out) + "\n"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(o["source"] for o in lines) == sorted(r["source"] for r in rows)
    assert {(o["event_id"], o["source"]) for o in lines} == {(r["event_id"], r["source"]) for r in rows}

    written = done.out + out.read_text(encoding="utf-8") + run_cli(["export", *days, "--data-dir", str(data)]).out
    for person in DEMO_PEOPLE:
        for secret in (person.id_number, person.id_number[4:14], person.id_number[-8:], person.name,
                       mask_name(person.name)):
            assert secret not in written, secret
    for secret in (STRANGER, STRANGER[4:14]):
        assert secret not in written
    assert not {"name", "doc", "id_number"} & set(rows[0]) and not {"name", "doc", "id_number"} & set(lines[0])
