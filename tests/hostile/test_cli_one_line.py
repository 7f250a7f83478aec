"""Every checkpoint command fails with one line and exit 2, never a traceback (spec 9;
issue 9, item 6), on a data folder someone has damaged or misnamed, and on hostile
arguments. Each case also checks that nothing in the store changed.

(A read-only folder, damaged pages and a file named as the data folder are in
test_store_never_thrown_away.py; damaged outbox rows in test_upload_one_rule.py.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from tests.support.station import configure_station
from tests.support.store_world import STORE, World, loopback_platform, one_line_error, rows, run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with loopback_platform(tmp_path_factory.mktemp("platform")) as w:
        yield w


@pytest.fixture(scope="module")
def synced(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synced data folder with one recorded decision (made once, copied per test)."""
    folder = tmp_path_factory.mktemp("synced") / "cp"
    config = configure_station(folder.parent / "settings.json")  # module scope: before the per-user folders
    assert run_cli(world.sync_args(folder)).code == 0
    assert run_cli(["verify", "--record", "--config", str(config), "--data-dir", str(folder),
                    world.codes()["green"]]).code == 0
    return folder


@pytest.fixture
def data(synced: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(synced, tmp_path / "cp"))


def _edit(data: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(data / STORE)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def _fails_in_one_line(args: list[str], capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own one-line usage errors
        code = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and one_line_error(err, *needles), (args, out, err)


@pytest.mark.parametrize("value", ['["not a PEM key"]', '{"broken json', '"one string"', "[5]"])
def test_damaged_pinned_keys(value: str, world: World, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(data, "UPDATE settings SET value = ? WHERE key = 'root_keys_pem'", value)
    before = rows(data / STORE)
    _fails_in_one_line(["verify", "--data-dir", str(data), world.codes()["green"]], capsys, "damaged")
    _fails_in_one_line(["sync", "--once", "--data-dir", str(data)], capsys, "damaged")
    assert rows(data / STORE) == before
    # Pinning the keys again repairs it.
    assert run_cli(world.sync_args(data)).code == 0


@pytest.mark.parametrize("value", [3, 7, -5, 2.5, "text", b"\x07\xff", b"\x02\xff\xff", b""])
def test_a_damaged_cache_value_gives_no_decision(value: object, world: World, data: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Colour 3 (and other values no sync wrote) for the red person: no decision rather than
    a wrong one, in one line."""
    _edit(data, "UPDATE status SET st = ?", value)
    before = rows(data / STORE)
    _fails_in_one_line(["verify", "--data-dir", str(data), world.codes()["red-turn-back"]], capsys,
                       "damaged entry")
    assert rows(data / STORE) == before


def test_a_damaged_cache_time_gives_no_decision(world: World, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(data, "UPDATE status SET at = 'yesterday'")
    _fails_in_one_line(["verify", "--data-dir", str(data), world.codes()["red-turn-back"]], capsys, "damaged")


@pytest.mark.parametrize("at", ["1e20", "100000000000000000000", str(2**70), "-1000000000000", "1583200000000",
                                "0x10", "nan", ""])
def test_hostile_at(at: str, world: World, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = rows(data / STORE)
    configure_station()
    _fails_in_one_line(["verify", "--record", "--at", at, "--data-dir", str(data), world.codes()["green"]], capsys,
                       "--at", "Unix time")
    assert rows(data / STORE) == before


def test_verify_image_says_what_the_path_is(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "code.png"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    folder = tmp_path / "shots.png"
    folder.mkdir()
    _fails_in_one_line(["verify", "--data-dir", str(data), "--image", str(folder)], capsys, "a directory")
    _fails_in_one_line(["verify", "--data-dir", str(data), "--image", str(fifo)], capsys, "FIFO")
    _fails_in_one_line(["verify", "--data-dir", str(data), "--image", str(tmp_path / "none.png")], capsys,
                       "No such file")


def test_export_to_the_last_representable_day(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "jsonl", "--from", "0001-01-01", "--to", "9999-12-31",
                 "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the one recorded decision
