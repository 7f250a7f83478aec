"""`sync --from DIR` (spec 9): the rules of section 4 hold for a folder as online: replay
against `last_at`, epochs, announced documents; an export is as old as its signed time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkpoint_app.authority.documents import sign_json
from checkpoint_app.authority.export import export_folder
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.cli import main
from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.folder import apply_folder
from checkpoint_app.core.sync.http import SyncError
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir, hid_secret
from checkpoint_app.resources import resource
from tests.support.sync_checks import cache_state, expected_state, snapshot
from tests.support.sync_platform import DAY, Platform, sync

PUB = str(demo_keys_dir() / "distribution.pub.pem")
GREEN = DEMO_PEOPLE[0]
GREEN_HID = hid_for(hid_secret(), GREEN.id_number)


@pytest.mark.needs_programs("faketime")
def test_a_stick_written_8_days_ago_is_offline_too_long(platform: Platform, tmp_path: Path) -> None:
    """The folder is applied 8 days after the export (faketime moves the checkpoint's clock):
    its pages are as old as the export, however recent the folder sync."""
    data, usb = tmp_path / "cp", tmp_path / "usb"
    export_folder(platform.authority, usb)
    later = int(time.time()) + 8 * DAY
    code = next(c.text for c in demo_codes(later) if c.label == GREEN.label)

    def app(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["faketime", "-f", "+8d", sys.executable, "-m", "checkpoint_app", *args],
                              capture_output=True, text=True, timeout=120)

    done = app("sync", "--from", str(usb), "--root-key", PUB, "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    with Store.open(data) as store:
        assert cache_state(store.path) == expected_state(platform.authority)
    verified = app("verify", "--json", "--data-dir", str(data), "--temperature", "36.5", "--mask", "yes", code)
    assert json.loads(verified.stdout)["action"] == "cannot_verify"


def test_a_stick_of_an_older_life_of_the_log_cannot_roll_the_cache_back(platform: Platform, tmp_path: Path) -> None:
    data, old = tmp_path / "cp", tmp_path / "old-usb"
    platform.authority.set_statuses([(os.urandom(16), 1, (204,), int(time.time()) - 3 * DAY) for _ in range(200)])
    export_folder(platform.authority, old, page_size=50)  # the log as it is today
    platform.clock.offset, tomorrow = DAY, time.time() + DAY
    with platform.authority.engine.begin() as conn:  # tomorrow: restored from a backup of the day before
        conn.exec_driver_sql("DELETE FROM status_log WHERE seq > 4")
        conn.exec_driver_sql("UPDATE counters SET value = 4 WHERE name = 'head'")
    platform.authority.new_epoch()
    platform.authority.set_statuses([(GREEN_HID, 2, (101,), int(platform.clock()) - 30)])  # confirmed
    with Store.open(data) as store:
        assert sync(store, platform.url, platform.token, platform.keys, now=tomorrow).ok
        before = snapshot(store.path)
        report = apply_folder(store, old, platform.keys, now=lambda: tomorrow)
        assert report.error == SyncError.REPLAY and "before the newest data held" in report.detail
        assert snapshot(store.path) == before
        ctx = store.load_context(platform.keys, "mall", int(tomorrow))
        code = next(c.text for c in demo_codes(int(tomorrow)) if c.label == GREEN.label)
        assert decide(scan(code, ctx, int(tomorrow)), Inputs(36.5, True), ctx).action == "hospital_transfer"


def test_a_stick_of_a_new_epoch_rebuilds_the_cache(platform: Platform, tmp_path: Path) -> None:
    data, usb = tmp_path / "cp", tmp_path / "usb"
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", str(data)]) == 0
    platform.authority.new_epoch()
    platform.authority.set_statuses([(GREEN_HID, 2, (101,), int(time.time()) - 30)])
    export_folder(platform.authority, usb, page_size=2)
    assert main(["sync", "--from", str(usb), "--data-dir", str(data)]) == 0
    with Store.open(data) as store:
        assert cache_state(store.path) == expected_state(platform.authority)
        assert store.lookup(GREEN_HID) is not None


def test_a_stick_whose_policy_is_older_than_its_pages_announce_is_refused(platform: Platform, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    data, usb = tmp_path / "cp", tmp_path / "usb"
    export_folder(platform.authority, usb)
    assert main(["sync", "--from", str(usb), "--root-key", PUB, "--data-dir", str(data)]) == 0
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    platform.authority.publish("policy", sign_json(platform.authority.key, policy | {"serial": 2}))
    platform.authority.set_statuses([(GREEN_HID, 2, (101,), int(time.time()) - 30)])
    old_policy = (usb / "policy.cose").read_bytes()
    export_folder(platform.authority, usb)
    (usb / "policy.cose").write_bytes(old_policy)  # someone put back the old policy
    before = snapshot(data / "checkpoint.sqlite3")
    assert main(["sync", "--from", str(usb), "--data-dir", str(data)]) == 1
    assert "DOCUMENT_BEHIND" in capsys.readouterr().err
    assert snapshot(data / "checkpoint.sqlite3") == before
