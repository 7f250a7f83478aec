"""Item 5: the authority answers bad input with a 4xx and a one-line JSON error, never a 500;
it takes a bearer token only as `Authorization: Bearer <token>` (spec 5); and `issue
--id-number -` reads the number from standard input, as `set-status` does."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.cli import main as checkpoint_main
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.signed_docs import DIST_KEY, DIST_PUB

ADMIN = "admin-secret"
KEYS = demo_keys_dir()


@dataclass
class Running:
    authority: Authority
    handle: ServerHandle
    token: str
    db: Path

    def get(self, path: str, auth: str | None = "checkpoint") -> requests.Response:
        header = {"checkpoint": f"Bearer {self.token}", "admin": f"Bearer {ADMIN}"}.get(auth or "", auth)
        return requests.get(self.handle.url + path, headers={"Authorization": header} if header else {}, timeout=10)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    db = tmp_path / "authority.sqlite3"
    authority = Authority.open(f"sqlite:///{db}", load_private_key(DIST_KEY), admin_token=ADMIN)
    seed(authority, int(time.time()))
    token = authority.register_checkpoint("TY-XD-0001")
    with start_in_thread(authority) as handle:
        yield Running(authority, handle, token, db)


def _refused(resp: requests.Response, status: int, error: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"error": error}
    assert resp.text.count("\n") <= 1


BAD_INT = "must be an integer from 0 to 2^53 - 1"


@pytest.mark.parametrize(("path", "auth", "name"), [
    ("/v1/status?since=²", "checkpoint", "since"),  # str.isdigit() says yes, int() says no: 500 today
    ("/v1/status?since=0&rebuild=²", "checkpoint", "rebuild"),
    ("/v1/status?since=１２", "checkpoint", "since"),  # full-width digits: int() reads 12
    (f"/v1/status?since={2**64}", "checkpoint", "since"),
    (f"/v1/status?since={2**53}", "checkpoint", "since"),
    ("/v1/status?since=-1", "checkpoint", "since"),
    ("/v1/status", "checkpoint", "since"),
    ("/v1/stats?from=²", "admin", "from"),
    (f"/v1/stats?from={2**63}", "admin", "from"),  # past SQLite's integers: 500 today
    (f"/v1/stats?to={2**64}", "admin", "to"),
    ("/v1/stats?to=1e9", "admin", "to"),
])
def test_bad_query_integers_are_400(running: Running, path: str, auth: str, name: str) -> None:
    _refused(running.get(path, auth), 400, f"query parameter {name} {BAD_INT}")


def test_the_largest_integers_in_range_are_served(running: Running) -> None:
    assert running.get(f"/v1/status?since={2**53 - 1}").status_code == 200  # a reset page: ahead of the log
    assert running.get(f"/v1/stats?from=0&to={2**53 - 1}", "admin").status_code == 200


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"checkpoint_id": "TY-XD-0001", "events": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b'{"checkpoint_id": "TY-XD-0001", "events": [{"ts": ' + b"9" * 5_000 + b"}]}",
], ids=["nested-100k", "nested-events-5k", "5000-digit-integer"])
def test_hostile_json_bodies_are_400(running: Running, body: bytes) -> None:
    resp = requests.post(running.handle.url + "/v1/scans", data=body, timeout=10,
                         headers={"Authorization": f"Bearer {running.token}", "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert set(resp.json()) == {"error"}


@pytest.mark.parametrize(("path", "header", "error"), [
    ("/v1/trust-list", "{token}", "give the token as 'Authorization: Bearer <token>'"),
    ("/v1/trust-list", "Token {token}", "give the token as 'Authorization: Bearer <token>'"),
    ("/v1/trust-list", "Bearer", "give the token as 'Authorization: Bearer <token>'"),
    ("/v1/trust-list", "Bearer nope", "unknown checkpoint token"),
    ("/v1/stats", ADMIN, "give the token as 'Authorization: Bearer <token>'"),
    ("/v1/trust-list", None, "unknown checkpoint token"),
])
def test_a_token_counts_only_as_a_bearer_token(running: Running, path: str, header: str | None, error: str) -> None:
    """Today a bare token in the Authorization header was accepted."""
    _refused(running.get(path, header.format(token=running.token) if header else ""), 401, error)


def test_the_bearer_scheme_is_case_insensitive(running: Running) -> None:
    assert running.get("/v1/trust-list", f"bearer {running.token}").status_code == 200  # RFC 7235


NUMBER = "140105199001010921"  # valid (set-status checks it), and no demo person


def _issue(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return authority_main(["issue", "--key", str(KEYS / "issuer-140000.pem"), "--color", "green", "--name", "王小廉",
                           "--id-number", "-", "--hid-key", str(KEYS / "hid-secret.bin"), *extra])


def test_issue_reads_the_id_number_from_standard_input(running: Running, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Today `issue --id-number -` issued a code for the literal "-": a red person's green code passed."""
    now = int(time.time())
    monkeypatch.setattr("sys.stdin", io.StringIO(NUMBER + "\n"))
    assert authority_main(["set-status", "--db", str(running.db), "--id-number", "-", "--hid-key",
                           str(KEYS / "hid-secret.bin"), "--color", "red", "--reason", "103",
                           "--effective-at", str(now - 60)]) == 0
    # The green code was issued an hour before the person turned red.
    assert _issue(monkeypatch, capsys, NUMBER + "\n", "--iat", str(now - 3600)) == 0
    out = capsys.readouterr().out
    code = out.strip().splitlines()[-1]
    data = tmp_path / "cp"
    assert checkpoint_main(["sync", "--once", "--server", running.handle.url, "--token", running.token,
                            "--root-key", str(DIST_PUB), "--data-dir", str(data)]) == 0
    capsys.readouterr()
    assert checkpoint_main(["verify", "--json", "--data-dir", str(data), "--temperature", "36.5", "--mask", "yes",
                            code]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["hid"] == hid_for((KEYS / "hid-secret.bin").read_bytes(), NUMBER).hex()
    assert decision["doc"] == "1401**********0921"  # masked from the number read, not from "-"
    assert decision["code_color"] == "green" and decision["color"] == "red"
    assert decision["action"] == "turn_back_isolation" and decision["allow"] is False


def test_issue_with_an_empty_standard_input_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _issue(monkeypatch, capsys, "") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "checkpoint-authority issue: error: --id-number -: no ID number on standard input\n"
