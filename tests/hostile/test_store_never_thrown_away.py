"""The store is never thrown away by mistake (issue 9, item 2): a full disk, a read-only
folder, a file named as the data folder, a file that is not a database, each fail with one
line and leave every byte where it was; only SQLite's integrity check reporting corruption
moves a store aside, and then to a name no other file has.

Real file systems: a tmpfs filled to the brim, and one remounted read-only (root ignores
file modes, a read-only mount it cannot). Mounting needs root; skipped otherwise."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from tests.support.small_disk import fill, small_disk
from tests.support.station import configure_station
from tests.support.store_world import STORE, World, digest, listing, loopback_platform, one_line_error, rows, run_cli


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


def _synced(world: World, data: Path) -> None:
    """A working checkpoint: synced, a token and keys remembered, two unsent records. In
    other processes, so that no connection of this one holds the files open."""
    configure_station()
    assert run_cli(world.sync_args(data)).code == 0
    codes = world.codes()
    assert run_cli(["verify", "--record", "--data-dir", str(data), codes["green"], codes["red-turn-back"]]).code == 0


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_full_disk_fails_each_command_with_one_line_and_moves_nothing(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        data = disk / "cp"
        _synced(world, data)
        before, store_bytes = rows(data / STORE), digest(data / STORE)
        filler = fill(disk)
        green = world.codes()["green"]
        # Twice: the second run used to overwrite the healthy store moved aside by the first.
        # Reading may work (SQLite's shared-memory file exists) or not; writing cannot.
        for args in (["verify", "--data-dir", str(data), green], ["verify", "--data-dir", str(data), green],
                     ["export", "--from", "2020-01-01", "--to", "2099-01-01", "--data-dir", str(data)],
                     ["verify", "--record", "--data-dir", str(data), green]):
            code, _out, err = _cli(args, capsys)
            reads = "--record" not in args
            assert (code == 0 and reads) or (code == 2 and one_line_error(err, "disk is full")), (args, err)
            assert [n for n in listing(data) if ".corrupt" in n] == []
            assert digest(data / STORE) == store_bytes
        # The sync reports the store as its problem (exit 1), like a refused document.
        code, _out, err = _cli(["sync", "--once", "--data-dir", str(data)], capsys)
        assert code == 1 and one_line_error(err, "STORE", "full"), err
        assert [n for n in listing(data) if ".corrupt" in n] == [] and digest(data / STORE) == store_bytes
        os.remove(filler)
        assert rows(data / STORE) == before  # unsent records, token, pinned keys: all there
        assert _cli(["verify", "--data-dir", str(data), green], capsys)[0] == 0


def test_a_read_only_folder_fails_with_one_line_and_changes_nothing(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with small_disk(tmp_path / "ro", "8m") as disk:
        data = disk / "cp"
        _synced(world, data)
        before, store_bytes = rows(data / STORE), digest(data / STORE)
        names = listing(data)
        assert os.system(f"mount -o remount,ro {disk}") == 0
        green = world.codes()["green"]
        assert _cli(["verify", "--data-dir", str(data), green], capsys)[0] == 0  # reading needs no write
        for args in (["verify", "--record", "--data-dir", str(data), green],
                     ["verify", "--data-dir", str(disk / "new"), green]):  # a store it would have to create
            code, out, err = _cli(args, capsys)
            assert code == 2 and out == "" and one_line_error(err, "read-only"), (args, err)
        code, out, err = _cli(["sync", "--once", "--data-dir", str(data)], capsys)
        assert code == 1 and one_line_error(err, "STORE", "readonly"), err
        assert listing(data) == names and digest(data / STORE) == store_bytes
        assert os.system(f"mount -o remount,rw {disk}") == 0
        assert rows(data / STORE) == before


def test_a_file_named_as_the_data_folder_is_refused_not_moved(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    for args in (["verify", "--data-dir", str(notes), "JKM1:X"], ["export", "--from", "2020-01-01", "--to",
                                                                   "2020-01-02", "--data-dir", str(notes)],
                 ["sync", "--once", "--data-dir", str(notes)]):
        code, _out, err = _cli(args, capsys)
        assert code == 2 and one_line_error(err, "notes.txt is not a folder"), err
    assert listing(tmp_path) == ["notes.txt"] and notes.read_text() == "my notes\n"


def test_a_store_file_that_is_not_sqlite_stays_where_it_is(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cp"
    data.mkdir()
    (data / STORE).write_text("a spreadsheet someone saved here\n" * 200)
    code, _, err = _cli(["sync", "--once", "--data-dir", str(data)], capsys)
    assert code == 2 and one_line_error(err, "not an SQLite database")
    assert listing(data) == [STORE] and (data / STORE).read_text().startswith("a spreadsheet")


def _damage(path: Path, btree: str = "events_ts") -> None:
    """Scribble over the root page of one b-tree (by default the records' time index, which
    the export reads and the salvage does not need); the file header stays valid."""
    conn = sqlite3.connect(path)
    (root,), (size,) = (conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (btree,)).fetchone(),
                        conn.execute("PRAGMA page_size").fetchone())
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start + 8: start + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


def test_damaged_pages_one_line_for_readers_and_the_integrity_check_moves_it_to_a_free_name(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cp"
    _synced(world, data)
    _damage(data / STORE)
    damaged = digest(data / STORE)
    # Readers that skip the integrity check meet the damage: one line, nothing moved.
    code, _out, err = _cli(["export", "--from", "2020-01-01", "--to", "2099-01-01", "--data-dir", str(data)], capsys)
    assert code == 2 and one_line_error(err, "damaged", "sync --once"), err
    assert listing(data) == [STORE] and digest(data / STORE) == damaged
    # The sync runs the integrity check: moved aside, records and settings salvaged.
    assert _cli(["sync", "--once", "--data-dir", str(data)], capsys)[0] == 0
    first = [n for n in listing(data) if n.startswith(f"{STORE}.corrupt-") and n[-4:] not in ("-wal", "-shm")]
    assert len(first) == 1 and digest(data / first[0]) == damaged
    with Store.open(data, check=False) as store:  # (the sync then uploaded them)
        assert len(store.events_between(0, 2**62)) == 2 and store.get_setting("token") == world.token
    # Damaged again within the same second: a second, different name; the first stays.
    _damage(data / STORE)
    with Store.open(data) as store:
        assert store.recovered_from is not None and store.recovered_from.name not in first
        assert len(store.events_between(0, 2**62)) == 2
    assert digest(data / first[0]) == damaged


def test_opening_takes_no_write_lock(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.set_setting("token", "T")
    holder = sqlite3.connect(tmp_path / STORE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")
    try:
        t0 = time.monotonic()
        with Store.open(tmp_path, check=True) as store:  # used to wait 10 s on a pragma, then move it aside
            assert store.get_setting("token") == "T" and store.recovered_from is None
        assert time.monotonic() - t0 < 2
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert not [n for n in listing(tmp_path) if ".corrupt" in n]


def test_the_store_and_its_folder_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new"
    with Store.open(data) as store:
        store.set_setting("token", "secret")
        modes = {n: os.stat(data / n).st_mode & 0o777 for n in listing(data)}
    assert os.stat(data).st_mode & 0o777 == 0o700
    assert set(modes) >= {STORE, f"{STORE}-wal", f"{STORE}-shm"} and set(modes.values()) == {0o600}
    # An existing store made by an older version (0755 / 0644) is tightened at open.
    os.chmod(data, 0o755)
    os.chmod(data / STORE, 0o644)
    Store.open(data).close()
    assert os.stat(data).st_mode & 0o777 == 0o700 and os.stat(data / STORE).st_mode & 0o777 == 0o600
    # A folder that holds other things (the user's home, /tmp) keeps its mode; the file does not.
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    (shared / "notes.txt").write_text(json.dumps({"keep": True}))
    os.chmod(shared, 0o755)
    Store.open(shared).close()
    assert os.stat(shared).st_mode & 0o777 == 0o755 and os.stat(shared / STORE).st_mode & 0o777 == 0o600
