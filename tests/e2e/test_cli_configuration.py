"""The command line takes the window's configuration (spec 9: "otherwise those in the
configuration stand"; "the same per-user data folder as the window"): the station that
decides and records, and the pinned keys of `root_keys`, with one rule for the keys
(core.configuration.choose_keys): command line > remembered in the data folder > settings.

Real parts: the reference authority on loopback signing real documents, real settings
files, real data folders, the window itself where it is compared, the CLI through its
main() and as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checkpoint_app.authority.db import lookups, scans
from checkpoint_app.authority.documents import sign_json
from checkpoint_app.authority.export import export_folder
from checkpoint_app.authority.keys import generate_key, public_pem
from checkpoint_app.authority.platform import Authority
from checkpoint_app.cli import main
from checkpoint_app.core import paths
from checkpoint_app.core.codes.signature import kid_of, load_public_pem
from checkpoint_app.core.store import Store
from checkpoint_app.demo.authority import _trust_list
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir
from checkpoint_app.resources import resource
from tests.support.qt_harness import Harness, make_app
from tests.support.station import STATION, configure_station
from tests.support.store_world import STORE, one_line_error, rows
from tests.support.sync_platform import NOW, Platform

__all__ = ["make_app"]  # a fixture
PUB = demo_keys_dir() / "distribution.pub.pem"
HOSPITAL = {"checkpoint_id": "TY-XD-0001", "venue_id": "140105-hospital-0003", "venue_type": "hospital",
            "operator": "guard-07"}
MakeApp = Callable[..., Harness]
GREEN_ID = DEMO_PEOPLE[0].id_number


def _codes() -> dict[str, str]:
    return {c.label: c.text for c in demo_codes(NOW)}


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _hospital_policy(platform: Platform) -> None:
    """Policy serial 2: at a hospital, a yellow code goes to the fever clinic instead of home."""
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    rule = {"id": "hospital-yellow", "then": "fever_referral", "if": {"and": [
        {"==": [{"var": "venue_type"}, "hospital"]}, {"==": [{"var": "color"}, "yellow"]}]}}
    policy["rules"].insert(1, rule)
    platform.authority.publish("policy", sign_json(platform.authority.key, policy | {"serial": 2}))


def _sync_args(platform: Platform, data: Path, *more: str) -> list[str]:
    return ["sync", "--once", "--server", platform.url, "--token", platform.token, "--data-dir", str(data), *more]


def _wrong_key(folder: Path) -> Path:
    """A distribution key that signed nothing the platform serves."""
    path = folder / "someone-else.pub.pem"
    path.write_bytes(public_pem(generate_key().public_key()))
    return path


def _events(data: Path) -> list[dict[str, Any]]:
    with Store.open(data, check=False) as store:
        return [e.to_wire() for e in store.events_between(0, 2**62)]


STATION_FIELDS = ("venue_id", "venue_type", "operator")


def test_a_hospital_decides_and_records_in_the_cli_as_its_window_does(
        platform: Platform, make_app: MakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _hospital_policy(platform)
    data = tmp_path / "cp"
    assert _cli([*_sync_args(platform, data), "--root-key", str(PUB)], capsys)[0] == 0
    # The window of the entrance PC, on its settings file and the data folder the sync filled.
    h = make_app(data=data, bundled=False, **HOSPITAL)
    h.qtbot.waitUntil(lambda: h.app.store._file_mode is False and h.window.status.store is not None
                      and h.window.status.store.level != "never", timeout=15000)
    h.show_code(_codes()["yellow"])
    h.qtbot.waitUntil(lambda: len(_events(data)) == 1, timeout=10000)
    window_event = _events(data)[0]
    config = str(h.app.settings_path)
    code, out, err = _cli(["verify", "--json", "--record", "--config", config, "--data-dir", str(data),
                           _codes()["yellow"]], capsys)
    assert code == 0 and err == ""
    assert json.loads(out)["action"] == window_event["action"] == "fever_referral"
    cli_event = next(e for e in _events(data) if e["event_id"] != window_event["event_id"])
    assert {f: cli_event[f] for f in STATION_FIELDS} == {f: window_event[f] for f in STATION_FIELDS} \
        == {f: HOSPITAL[f] for f in STATION_FIELDS}
    # The same code at an office building (the default venue type) goes home.
    office = configure_station(tmp_path / "office.json")
    code, out, _ = _cli(["verify", "--json", "--config", str(office), "--data-dir", str(data),
                         _codes()["yellow"]], capsys)
    assert json.loads(out)["action"] == "home_isolation"
    # Uploaded by the CLI as this checkpoint, counted at the hospital's city (140105), not the
    # code's issuing region (140000) where an event without its venue would land.
    h.app.shutdown()
    assert _cli(["sync", "--once", "--config", config, "--data-dir", str(data)], capsys)[0] == 0
    with platform.authority.engine.connect() as conn:
        held = conn.execute(select(scans.c.checkpoint_id, scans.c.region, scans.c.venue_type)).all()
    assert sorted(held) == [("TY-XD-0001", "140105", "hospital")] * 2


def test_the_per_user_settings_are_the_configuration_of_a_process_without_config(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A script's process with neither --config nor --data-dir: the window's per-user folders."""
    configure_station(**HOSPITAL)  # paths.settings_file(): CHECKPOINT_CONFIG_DIR, as for the window
    assert _cli(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", str(PUB)],
                capsys)[0] == 0
    done = subprocess.run([sys.executable, "-m", "checkpoint_app", "verify", "--record", "--temperature", "36.5",
                           "--mask", "yes", _codes()["green"]],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert done.returncode == 0 and done.stderr == "" and "pass" in done.stdout
    (event,) = _events(paths.data_dir())
    assert {f: event[f] for f in STATION_FIELDS} == {f: HOSPITAL[f] for f in STATION_FIELDS}


def test_record_without_a_configured_station_is_refused_before_anything(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2, one line naming the file; nothing decided, recorded or asked of the platform.
    Without --record the default venue type decides, as the window's would."""
    data = tmp_path / "cp"
    assert _cli([*_sync_args(platform, data), "--root-key", str(PUB)], capsys)[0] == 0
    placeholder = tmp_path / "first-start.json"
    configure_station(placeholder, checkpoint_id="CP-0001", venue_id="venue-0001")  # as the window first wrote it
    before = rows(data / STORE)
    for config in ([], ["--config", str(placeholder)]):
        where = str(placeholder) if config else str(paths.settings_file())
        code, out, err = _cli(["verify", "--record", *config, "--data-dir", str(data), _codes()["green"]], capsys)
        assert code == 2 and out == "" and one_line_error(err, "no station configured", where, "nothing was recorded")
        code, out, err = _cli(["lookup", "--record", *config, "--data-dir", str(data), "--doc",
                               GREEN_ID], capsys)
        assert code == 2 and out == "" and one_line_error(err, "no station configured"), err
    assert rows(data / STORE) == before
    with platform.authority.engine.connect() as conn:
        assert conn.execute(select(lookups)).all() == []
    code, out, err = _cli(["verify", "--json", "--data-dir", str(data), _codes()["yellow"]], capsys)
    assert code == 0 and err == "" and json.loads(out)["action"] == "home_isolation"


def test_sync_with_only_configured_keys_takes_their_documents_and_refuses_others(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    right = configure_station(tmp_path / "right.json", root_keys=f" {PUB} ;")
    wrong = configure_station(tmp_path / "wrong.json", root_keys=str(_wrong_key(tmp_path)))
    # A pinned-but-wrong configured key: the platform's documents are refused, nothing applied.
    data = tmp_path / "cp"
    code, _, err = _cli([*_sync_args(platform, data), "--config", str(wrong)], capsys)
    assert code == 1 and one_line_error(err, "BAD_SIGNATURE"), err
    with Store.open(data) as store:
        assert store.document("trust-list") is None and store.document("policy") is None and store.cursor() == 0
    # The right configured key: synced, and not remembered (only the command line's keys are).
    assert _cli([*_sync_args(platform, data), "--config", str(right)], capsys)[0] == 0
    with Store.open(data) as store:
        assert store.document("policy") is not None and store.get_setting("root_keys_pem") is None
    code, out, _ = _cli(["verify", "--json", "--config", str(right), "--data-dir", str(data),
                         _codes()["red-turn-back"]], capsys)
    assert code == 0 and json.loads(out)["cache_entry"] is True
    code, _, err = _cli(["verify", "--config", str(wrong), "--data-dir", str(data), _codes()["green"]], capsys)
    assert code == 2 and one_line_error(err, "no longer verifies"), err
    # A folder of documents signed by another distribution key: refused by the configured one.
    other = Authority.open(f"sqlite:///{tmp_path / 'other.sqlite3'}", generate_key())
    seed_other(other)
    export_folder(other, tmp_path / "usb")
    other.engine.dispose()
    code, _, err = _cli(["sync", "--from", str(tmp_path / "usb"), "--config", str(right), "--data-dir",
                         str(tmp_path / "cp2")], capsys)
    assert code == 1 and one_line_error(err, "BAD_SIGNATURE"), err
    export_folder(platform.authority, tmp_path / "usb-good")
    assert _cli(["sync", "--from", str(tmp_path / "usb-good"), "--config", str(right), "--data-dir",
                 str(tmp_path / "cp2")], capsys)[0] == 0


def seed_other(authority: Authority) -> None:
    """The demo documents signed by this authority's own key: genuine-looking, wrong signer."""
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    authority.publish("policy", sign_json(authority.key, policy))
    _trust_list(authority, NOW)


def test_the_remembered_keys_come_before_the_configured_and_the_command_line_first(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong_key = _wrong_key(tmp_path)
    wrong = configure_station(tmp_path / "wrong.json", root_keys=str(wrong_key))
    data = tmp_path / "cp"
    assert _cli([*_sync_args(platform, data), "--root-key", str(PUB), "--config", str(wrong)], capsys)[0] == 0
    # The data folder's key (it verified the documents held there) over the settings' key.
    assert _cli(["sync", "--once", "--config", str(wrong), "--data-dir", str(data)], capsys)[0] == 0
    assert _cli(["verify", "--config", str(wrong), "--data-dir", str(data), _codes()["green"]], capsys)[0] == 0
    # The command line over both: a wrong key given now refuses.
    code, _, err = _cli(["verify", "--root-key", str(wrong_key), "--data-dir", str(data), _codes()["green"]],
                        capsys)
    assert code == 2 and one_line_error(err, "no longer verifies"), err


def test_an_unreadable_configured_key_file_is_one_line_and_exit_2(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "usb" / "distribution.pub.pem"
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("the key is on the stick\n")
    for key_file in (missing, not_pem):
        config = configure_station(tmp_path / "site.json", root_keys=f"{PUB};{key_file}")
        suffix = f"(setting root_keys in {config})"
        for args in (_sync_args(platform, tmp_path / "cp"), ["sync", "--from", str(tmp_path), "--data-dir",
                                                             str(tmp_path / "cp")],
                     ["verify", "--data-dir", str(tmp_path / "cp"), _codes()["green"]],
                     ["lookup", "--data-dir", str(tmp_path / "cp"), "--doc", GREEN_ID]):
            code, out, err = _cli([*args, "--config", str(config)], capsys)
            assert code == 2 and out == "", (args, err)
            assert one_line_error(err, f"root key {key_file} is not a readable PEM public key", suffix), (args, err)
    # As a process, the top-level --config of the window: the same line, no traceback.
    done = subprocess.run([sys.executable, "-m", "checkpoint_app", "--config", str(config), "sync", "--once",
                           "--data-dir", str(tmp_path / "cp")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert one_line_error(done.stderr, f"root key {not_pem} is not a readable PEM public key", suffix), done.stderr


def test_the_top_level_data_dir_and_config_reach_verify(
        platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`checkpoint-app --data-dir DIR --config FILE verify`: argparse used to put verify's own
    default (None) over the top-level --data-dir, and the per-user store was read instead."""
    data = tmp_path / "cp"
    config = configure_station(tmp_path / "site.json", **HOSPITAL)
    assert _cli([*_sync_args(platform, data), "--root-key", str(PUB)], capsys)[0] == 0
    code, out, err = _cli(["--data-dir", str(data), "--config", str(config), "verify", "--json", "--record",
                           _codes()["red-turn-back"]], capsys)
    assert code == 0 and err == "" and json.loads(out)["cache_entry"] is True
    assert [e["venue_id"] for e in _events(data)] == [HOSPITAL["venue_id"]]


def test_the_window_takes_the_remembered_keys_before_its_settings(
        platform: Platform, make_app: MakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The one rule in the window too: a data folder synced with `sync --root-key` is decided
    with by the window whose settings pin another key, as by the command line."""
    data = tmp_path / "cp"
    assert _cli([*_sync_args(platform, data), "--root-key", str(PUB)], capsys)[0] == 0
    h = make_app(data=data, bundled=False, root_keys=str(_wrong_key(tmp_path)), **STATION)
    h.qtbot.waitUntil(lambda: h.window.status.store is not None and h.window.status.store.level != "never",
                      timeout=15000)
    assert [kid_of(k) for k in h.app.store._root_keys] == [kid_of(load_public_pem(PUB.read_bytes()))]
