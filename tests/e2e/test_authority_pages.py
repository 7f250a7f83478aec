"""The reference authority's side of spec 1.1 (4.3, 5): signed time, epoch and serials in every
page, no 304 for status, caching headers, epochs and document serials that are never reused."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests

from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.documents import sign_json
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.core.status_pages import StatusPage, parse_status_page
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.demo.people import demo_keys_dir
from checkpoint_app.resources import resource
from tests.support.sync_platform import Platform

KEY = str(demo_keys_dir() / "distribution.pem")


def _page(platform: Platform, query: str, **headers: str) -> tuple[requests.Response, StatusPage]:
    resp = requests.get(f"{platform.url}/v1/status?{query}", timeout=5,
                        headers={"Authorization": f"Bearer {platform.token}", **headers})
    assert resp.status_code == 200
    since = int(query.split("since=")[1].split("&")[0])
    return resp, parse_status_page(open_document(resp.content, platform.keys), since, skew_s=300,
                                   rebuilding="rebuild=1" in query)


def _policy(serial: int, **changes: object) -> dict[str, object]:
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    return policy | {"serial": serial} | changes


def test_pages_carry_the_signed_time_the_epoch_and_the_served_serials(platform: Platform) -> None:
    platform.authority.publish("policy", sign_json(platform.authority.key, _policy(3)))
    platform.clock.offset = -42
    _, page = _page(platform, "since=0")
    assert abs(page.at - (time.time() - 42)) < 5
    assert len(page.epoch) == 8 and (page.trust_serial, page.policy_serial) == (1, 3)


def test_status_is_never_304_and_only_full_pages_are_cacheable(platform: Platform) -> None:
    platform.authority.set_statuses([(os.urandom(16), 1, (201,), int(time.time()) - 5) for _ in range(120)])
    full, page = _page(platform, "since=0", **{"If-None-Match": "*"})
    assert page.more and full.headers["Cache-Control"] == "public, max-age=3600"
    assert full.headers["ETag"] == f'W/"{page.epoch.hex()}.0.0.{page.to}"'  # names the page, for caches
    assert full.status_code == 200  # If-None-Match matched, and still no 304
    last, page = _page(platform, "since=100")
    assert not page.more and last.headers["Cache-Control"] == "no-store"
    again, _ = _page(platform, "since=100", **{"If-None-Match": last.headers.get("ETag", "*")})
    assert again.status_code == 200  # never a 304: every sync carries a fresh signed time
    reset, page = _page(platform, "since=999999")
    assert page.reset and page.more and reset.headers["Cache-Control"] == "no-store"
    rebuild, page = _page(platform, f"since={page.to}&rebuild=1")
    assert page.more and rebuild.headers["Cache-Control"] == "public, max-age=3600"
    doc = requests.get(f"{platform.url}/v1/policy", headers={"Authorization": f"Bearer {platform.token}"},
                       timeout=5)
    assert requests.get(f"{platform.url}/v1/policy", timeout=5, headers={
        "Authorization": f"Bearer {platform.token}", "If-None-Match": doc.headers["ETag"]}).status_code == 304


def test_a_new_database_and_the_new_epoch_command_start_new_epochs(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from checkpoint_app.authority.epoch import current

    def epoch_of(db: Path) -> bytes:
        a = Authority.open(f"sqlite:///{db}", None)
        with a.engine.connect() as conn:
            return current(conn)

    one, two = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    assert epoch_of(one) != epoch_of(two)
    assert epoch_of(one) == epoch_of(one)  # reopening keeps it
    assert authority_main(["publish", "--db", str(one), "--key", KEY, "--policy",
                           str(resource("policy", "default-policy.cose"))]) == 0
    before = epoch_of(one)
    assert authority_main(["new-epoch", "--db", str(one), "--serial-gap", "100"]) == 0
    out = capsys.readouterr().out
    assert epoch_of(one) != before and epoch_of(one).hex() in out and "policy 101" in out
    # The restored database does not know what was published after its backup: serials up to
    # the floor may be held by checkpoints, so none of them is used again.
    policy_50 = tmp_path / "p50.cose"
    policy_50.write_bytes(sign_json(load_private_key(Path(KEY)), _policy(50)))
    assert authority_main(["publish", "--db", str(one), "--key", KEY, "--policy", str(policy_50)]) == 2
    assert "not above 101" in capsys.readouterr().err
    policy_102 = tmp_path / "p102.cose"
    policy_102.write_bytes(sign_json(load_private_key(Path(KEY)), _policy(102)))
    assert authority_main(["publish", "--db", str(one), "--key", KEY, "--policy", str(policy_102)]) == 0


def test_a_serial_is_never_reused_for_another_document(platform: Platform) -> None:
    a = platform.authority
    # The seeded policy again (as `serve --policy` publishes it at every start): fine.
    assert a.publish("policy", resource("policy", "default-policy.cose").read_bytes()) == 1
    with pytest.raises(ValueError, match="already published with other content"):
        a.publish("policy", sign_json(a.key, _policy(1, max_offline_s=1)))


def test_export_writes_1_1_pages_and_documents_at_least_as_new_as_announced(platform: Platform,
                                                                           tmp_path: Path) -> None:
    from checkpoint_app.authority.export import export_folder

    platform.authority.set_statuses([(os.urandom(16), 2, (103,), int(time.time()) - 5) for _ in range(5)])
    assert export_folder(platform.authority, tmp_path / "usb", page_size=4) == 3
    pages = sorted((tmp_path / "usb").glob("status-*.cose"))
    since = 0
    for path in pages:
        page = parse_status_page(open_document(path.read_bytes(), platform.keys), since, skew_s=300)
        assert len(page.epoch) == 8 and abs(page.at - time.time()) < 60 and page.policy_serial == 1
        since = page.to
    policy = json.loads(open_document((tmp_path / "usb" / "policy.cose").read_bytes(), platform.keys))
    assert policy["serial"] >= page.policy_serial
