"""`checkpoint-app verify` on a checkpoint that never completed a sync says so and what to do,
as the window does (tests/qt/test_visit_flows.py): not "data too old". The decision of a
code it can verify stays cannot_verify (spec 6, stale-data), never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from checkpoint_app.demo.people import demo_codes, demo_keys_dir
from tests.support.sync_platform import DAY, NOW, Platform

PUB = str(demo_keys_dir() / "distribution.pub.pem")


def _green() -> str:
    return next(c.text for c in demo_codes(NOW) if c.label == "green")


def test_a_data_folder_that_never_synced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--data-dir", str(tmp_path / "cp"), "--root-key", PUB, _green()]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has not synced yet" in err, err
    assert "sync --once" in err and "sync --from" in err and "too old" not in err


def test_a_first_sync_cut_off_after_the_documents(platform: Platform, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The trust list and policy arrived, not one status page (no signed platform time)."""
    data = str(tmp_path / "cp")
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", data]) == 0
    with Store.open(data) as store, store.transaction() as conn:
        conn.execute("DELETE FROM state WHERE key = 'last_at'")
    capsys.readouterr()
    assert main(["verify", "--json", "--data-dir", data, "--temperature", "36.5", "--mask", "yes", _green()]) == 0
    out, err = capsys.readouterr()
    decision = json.loads(out)
    assert (decision["action"], decision["allow"]) == ("cannot_verify", False)
    assert err.count("\n") == 1 and "has not synced yet" in err and "sync --once" in err, err


def test_data_synced_long_ago_is_not_called_never_synced(platform: Platform, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "cp")
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", data]) == 0
    capsys.readouterr()
    later = str(NOW + 8 * DAY)
    code = next(c.text for c in demo_codes(NOW + 8 * DAY) if c.label == "green")
    assert main(["verify", "--data-dir", data, "--at", later, "--temperature", "36.5", "--mask", "yes", code]) == 0
    out, err = capsys.readouterr()
    assert out.rstrip().endswith("-> cannot_verify DENY") and "not synced" not in err, (out, err)
