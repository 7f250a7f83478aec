"""The command line of spec section 9: sync --once, sync --from, verify --data-dir/--record, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from checkpoint_app.authority.export import export_folder
from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_codes, demo_keys_dir
from tests.support.station import configure_station
from tests.support.sync_checks import cache_state, expected_state, snapshot
from tests.support.sync_platform import NOW, Platform

PUB = str(demo_keys_dir() / "distribution.pub.pem")


def _codes() -> dict[str, str]:
    return {c.label: c.text for c in demo_codes(NOW)}


def test_sync_once_remembers_the_platform_and_verify_uses_the_cache(platform: Platform, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "cp")
    configure_station()
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sync ok:") and out.count("\n") == 1
    assert main(["sync", "--once", "--data-dir", data]) == 0  # server, token and key remembered
    capsys.readouterr()
    assert main(["verify", "--json", "--data-dir", data, "--temperature", "36.5", "--mask", "yes", "--record",
                 _codes()["red-turn-back"], _codes()["green"]]) == 0
    red, green = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert red["color"] == "red" and red["cache_entry"] is True and red["action"] == "turn_back_isolation"
    assert red["cache_stale"] is False and green["action"] == "pass"
    with Store.open(data) as store:
        assert store.pending_count() == 2
        assert all(e.hid is not None and "name" not in e.to_wire() for e in store.events_between(0, 2**40))
    assert main(["sync", "--once", "--data-dir", data]) == 0
    assert "uploaded 2" in capsys.readouterr().out


def test_the_default_data_folder_is_shared(platform: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    # tests/conftest.py points CHECKPOINT_DATA_DIR at a fresh folder: the window's folder.
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB]) == 0
    assert main(["verify", "--json", _codes()["yellow"]]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["color"] == "yellow"


def test_usage_and_sync_errors_are_one_line_with_the_right_exit(platform: Platform, tmp_path: Path,
                                                                silent_server: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "cp")
    assert main(["sync", "--once", "--data-dir", data, "--root-key", PUB]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["verify", "--data-dir", data, _codes()["green"]]) == 2
    assert "sync first" in capsys.readouterr().err
    assert main(["sync", "--once", "--server", silent_server, "--token", "x.y", "--data-dir", data,
                 "--timeout", "0.3"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TIMEOUT" in err
    assert main(["sync", "--once", "--server", "ftp://x", "--data-dir", data]) == 2
    assert main(["sync", "--once", "--root-key", str(tmp_path / "missing.pem"), "--data-dir", data]) == 2
    assert "missing.pem is not a readable PEM public key" in capsys.readouterr().err
    assert main(["export", "--from", "2020-01-01", "--to", "2020-01-02", "--out", str(tmp_path / "no" / "x.csv"),
                 "--data-dir", data]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_sync_from_an_exported_folder(platform: Platform, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder, data = tmp_path / "usb", str(tmp_path / "cp")
    assert export_folder(platform.authority, folder, page_size=2) == 2
    assert main(["sync", "--from", str(folder), "--root-key", PUB, "--data-dir", data]) == 0
    with Store.open(data) as store:
        assert cache_state(store.path) == expected_state(platform.authority)
        # The platform's signed time at export: freshness counts from it.
        assert abs((store.sync_times().last_at or 0) - platform.clock()) < 60
    capsys.readouterr()
    assert main(["verify", "--json", "--data-dir", data, _codes()["red-hospital"]]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "hospital_transfer"


def test_a_tampered_folder_is_refused_whole(platform: Platform, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder, data = tmp_path / "usb", tmp_path / "cp"
    export_folder(platform.authority, folder, page_size=2)
    assert main(["sync", "--from", str(folder), "--root-key", PUB, "--data-dir", str(data)]) == 0
    platform.authority.set_statuses([(b"\x07" * 16, 2, (101,), NOW)])
    export_folder(platform.authority, folder, page_size=2)
    page = sorted(folder.glob("status-*.cose"))[-1]
    body = page.read_bytes()
    page.write_bytes(body[:-1] + bytes([body[-1] ^ 0x01]))  # a changed byte: "+ b'\x00'" was none when it was 0
    before = snapshot(data / "checkpoint.sqlite3")
    assert main(["sync", "--from", str(folder), "--data-dir", str(data)]) == 1
    assert "BAD_SIGNATURE" in capsys.readouterr().err
    assert snapshot(data / "checkpoint.sqlite3") == before
    assert main(["sync", "--from", str(tmp_path / "missing"), "--data-dir", str(data)]) == 1


def test_export_of_scan_records_as_csv_and_json_lines(platform: Platform, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "cp")
    configure_station()
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", data]) == 0
    assert main(["verify", "--data-dir", data, "--record", "--temperature", "36.5", "--mask", "yes",
                 _codes()["green"], _codes()["yellow"]]) == 0
    capsys.readouterr()
    import datetime as dt

    today = dt.datetime.fromtimestamp(NOW, dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert main(["export", "--from", today, "--to", today, "--data-dir", data]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(r["color"] for r in rows) == ["green", "yellow"] and all(len(r["hid"]) == 32 for r in rows)
    assert main(["export", "--from", today, "--to", today, "--format", "jsonl", "--data-dir", data]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "name" not in json.loads(lines[0])
    assert main(["export", "--from", "2020-01-02", "--to", "2020-01-01", "--data-dir", data]) == 2


def test_an_older_folder_cannot_roll_documents_back(platform: Platform, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from checkpoint_app.authority.documents import sign_json
    from checkpoint_app.resources import resource

    old, new, data = tmp_path / "old", tmp_path / "new", tmp_path / "cp"
    export_folder(platform.authority, old)
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    platform.authority.publish("policy", sign_json(platform.authority.key, policy | {"serial": 3}))
    export_folder(platform.authority, new)
    assert main(["sync", "--from", str(new), "--root-key", PUB, "--data-dir", str(data)]) == 0
    before = snapshot(data / "checkpoint.sqlite3")
    assert main(["sync", "--from", str(old), "--data-dir", str(data)]) == 1
    assert "ROLLBACK" in capsys.readouterr().err
    assert snapshot(data / "checkpoint.sqlite3") == before


def test_the_global_data_dir_option_counts(platform: Platform, tmp_path: Path) -> None:
    data = tmp_path / "global"
    assert main(["--data-dir", str(data), "sync", "--once", "--server", platform.url, "--token", platform.token,
                 "--root-key", PUB]) == 0
    assert (data / "checkpoint.sqlite3").exists()
    assert main(["--data-dir", str(data), "export", "--from", "2020-01-01", "--to", "2020-01-01"]) == 0
