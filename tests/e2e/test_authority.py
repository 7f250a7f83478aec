"""The reference authority: its HTTP API and its operator commands."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from checkpoint_app.authority import statuslog
from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.authority.platform import Authority
from checkpoint_app.core.status_pages import parse_status_page
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.demo.people import demo_keys_dir
from checkpoint_app.resources import resource
from tests.support.sync_platform import Platform
from tests.support.waiting import wait_for

KEY = str(demo_keys_dir() / "distribution.pem")


def _get(platform: Platform, path: str, **headers: str) -> requests.Response:
    return requests.get(platform.url + path, headers={"Authorization": f"Bearer {platform.token}", **headers},
                        timeout=5)


def test_every_route_needs_a_registered_token(platform: Platform) -> None:
    for path in ("/v1/trust-list", "/v1/policy", "/v1/status?since=0"):
        resp = requests.get(platform.url + path, headers={"Authorization": "Bearer nope"}, timeout=5)
        assert resp.status_code == 401 and "token" in resp.json()["error"]
    assert requests.post(platform.url + "/v1/scans", json={}, timeout=5).status_code == 401


def test_documents_have_etags_and_status_pages_verify(platform: Platform) -> None:
    first = _get(platform, "/v1/policy")
    assert first.headers["Content-Type"] == "application/cose" and first.headers["ETag"]
    assert _get(platform, "/v1/policy", **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    page = _get(platform, "/v1/status?since=0")
    parsed = parse_status_page(open_document(page.content, platform.keys), 0, skew_s=300)
    assert parsed.to == 4 and not parsed.more and not parsed.reset and len(parsed.entries) == 4
    assert _get(platform, "/v1/status?since=-1").status_code == 400
    assert _get(platform, "/v1/status").status_code == 400


def test_scan_ingest_is_idempotent_even_within_a_batch(platform: Platform) -> None:
    ev = {"event_id": "e-1", "ts": 1583200123, "venue_id": "140105-mall-0007", "action": "pass", "hid": None,
          "name": "王小廉"}
    body = {"checkpoint_id": "TY-XD-0001", "events": [ev, ev]}
    headers = {"Authorization": f"Bearer {platform.token}"}
    first = requests.post(platform.url + "/v1/scans", json=body, headers=headers, timeout=5).json()
    assert first == {"accepted": ["e-1"], "duplicates": ["e-1"], "rejected": []}
    again = requests.post(platform.url + "/v1/scans", json=body, headers=headers, timeout=5).json()
    assert again == {"accepted": [], "duplicates": ["e-1", "e-1"], "rejected": []}
    bad = requests.post(platform.url + "/v1/scans", json={"checkpoint_id": "TY-XD-0001", "events": {}},
                        headers=headers, timeout=5)
    assert bad.status_code == 400  # not a batch at all
    db = Path(str(platform.authority.engine.url.database)).read_bytes()
    assert "王小廉".encode() not in db  # fields outside the spec's event are not kept


def test_publish_refuses_a_lower_serial(platform: Platform) -> None:
    doc = resource("policy", "default-policy.json").read_text(encoding="utf-8")
    from checkpoint_app.authority.documents import sign_json

    platform.authority.publish("policy", sign_json(platform.authority.key, json.loads(doc) | {"serial": 5}))
    with pytest.raises(ValueError, match="lower than the published 5"):
        platform.authority.publish("policy", resource("policy", "default-policy.cose").read_bytes())


def test_operator_commands_keep_no_id_number(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "a.sqlite3")
    secret = demo_keys_dir() / "hid-secret.bin"
    number = "140105199001010913"
    assert authority_main(["register-checkpoint", "--db", db, "CP-9"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("CP-9.")
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(number + "\n"))
    assert authority_main(["set-status", "--db", db, "--id-number", "-", "--hid-key", str(secret),
                           "--color", "red", "--reason", "103"]) == 0
    out = capsys.readouterr().out
    hid = hid_for(secret.read_bytes(), number)
    assert hid.hex() in out and number not in out
    assert authority_main(["set-status", "--db", db, "--hid", hid.hex(), "--color", "green"]) == 0
    assert authority_main(["compact", "--db", db]) == 0
    assert "1 entries deleted" in capsys.readouterr().out
    assert authority_main(["set-status", "--db", db, "--hid", "abc", "--color", "green"]) == 2
    assert authority_main(["stats", "--db", db, "--from", "2020-03-01", "--to", "2020-03-31"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    for path in tmp_path.iterdir():
        assert number.encode() not in path.read_bytes()
    a = Authority.open(f"sqlite:///{db}", None)
    assert statuslog.current(a.engine, hid) == (hid, 0, (), statuslog.current(a.engine, hid)[3])  # type: ignore[index]


def test_export_command_writes_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "a.sqlite3")
    assert authority_main(["export", "--db", db, "--key", KEY, str(tmp_path / "usb")]) == 2
    assert "no trust-list published" in capsys.readouterr().err
    assert authority_main(["publish", "--db", db, "--key", KEY, "--trust-list",
                           str(resource("demo", "trust-list.cose")), "--policy",
                           str(resource("policy", "default-policy.cose"))]) == 0
    assert authority_main(["export", "--db", db, "--key", KEY, str(tmp_path / "usb")]) == 0
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == ["policy.cose", "status-000001.cose",
                                                                    "trust-list.cose"]


def test_serve_runs_a_real_server(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = str(tmp_path / "a.sqlite3")
    assert authority_main(["register-checkpoint", "--db", db, "CP-1"]) == 0
    token = Authority.open(f"sqlite:///{db}", None).register_checkpoint("CP-1", "CP-1.fixed-token")
    launcher = "import sys; from checkpoint_app.authority.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", launcher, "serve", "--db", db, "--key", KEY, "--port", str(port),
           "--policy", str(resource("policy", "default-policy.cose"))]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        def answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/v1/policy", timeout=1,
                                    headers={"Authorization": f"Bearer {token}"}).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(answers)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
