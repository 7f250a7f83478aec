"""Secrets (issue 9, item 7; spec 9): the token comes from a file or standard input, so it
never shows in the process list; a hostile token file fails in one line and nothing is
remembered; the store that keeps the token is private whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store
from tests.support.store_world import PUB, STORE, World, listing, loopback_platform, one_line_error, run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with loopback_platform(tmp_path_factory.mktemp("platform")) as w:
        yield w


def _args(world: World, data: Path, *token: str) -> list[str]:
    return ["sync", "--once", "--server", world.url, "--root-key", str(PUB), "--data-dir", str(data), *token]


def test_the_token_from_a_file(world: World, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(world.token + "\n")
    done = run_cli(_args(world, tmp_path / "cp", "--token-file", str(token_file)))
    assert done.code == 0, done.err
    with Store.open(tmp_path / "cp") as store:
        assert store.get_setting("token") == world.token


def test_the_token_from_standard_input_never_shows_in_the_process_list(world: World, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "checkpoint_app", *_args(world, tmp_path / "cp", "--token-file", "-")]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # It waits for the token on its standard input: look at what `ps` shows meanwhile.
        deadline = time.monotonic() + 20
        cmdline = ""
        while "checkpoint_app" not in cmdline and time.monotonic() < deadline:  # until its exec is done
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            time.sleep(0.01)
        out, err = proc.communicate(world.token + "\n", timeout=60)
    finally:
        if proc.poll() is None:  # reaped and its pipes closed here, not by a later test's collection
            proc.kill()
            proc.communicate()
    assert "--token-file -" in cmdline and world.token not in cmdline
    assert proc.returncode == 0 and out.startswith("sync ok"), err
    with Store.open(tmp_path / "cp") as store:
        assert store.get_setting("token") == world.token


def _hostile_sources(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (the --token-file argument, a word of the one-line error)"""
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")  # no writer: opening it for reading would wait forever
    (tmp_path / "empty").write_text("\n\n")
    (tmp_path / "huge").write_text("x" * 100_000)
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00token")
    (tmp_path / "spaces").write_text("TY-XD-0001.abc def\n")
    return {"folder": (str(tmp_path / "folder"), "directory"), "fifo": (str(tmp_path / "fifo"), "FIFO"),
            "missing": (str(tmp_path / "missing"), "No such file"), "empty": (str(tmp_path / "empty"), "no token"),
            "huge": (str(tmp_path / "huge"), "larger than"), "binary": (str(tmp_path / "binary"), "UTF-8"),
            "spaces": (str(tmp_path / "spaces"), "spaces")}


def test_a_hostile_token_file_fails_in_one_line_and_nothing_is_remembered(world: World, tmp_path: Path) -> None:
    data = tmp_path / "cp"
    for name, (source, word) in _hostile_sources(tmp_path).items():
        done = run_cli(_args(world, data, "--token-file", source), timeout=30)
        assert done.code == 2 and one_line_error(done.err, word), (name, done.err)
    with Store.open(data) as store:  # not even the server or the keys of the same command
        assert store.get_setting("token") is None and store.get_setting("server_url") is None
    empty_stdin = run_cli(_args(world, data, "--token-file", "-"), stdin="")
    assert empty_stdin.code == 2 and one_line_error(empty_stdin.err, "no token", "standard input")
    both = run_cli(_args(world, data, "--token", "x", "--token-file", "-"))
    assert both.code == 2 and one_line_error(both.err, "not allowed with")


def test_the_store_holding_the_token_is_private_whatever_the_umask(world: World, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(world.token)
    data = tmp_path / "new" / "cp"
    cmd = [sys.executable, "-m", "checkpoint_app", *_args(world, data, "--token-file", str(token_file))]
    done = subprocess.run(cmd, capture_output=True, text=True, umask=0, timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert {n: stat.S_IMODE(os.stat(data / n).st_mode) for n in listing(data)} == {STORE: 0o600}
