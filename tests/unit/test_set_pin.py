"""checkpoint-app set-pin as an installer runs it, and kiosk mode refusing to start without a PIN."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from checkpoint_app.demo.folders import DEMO_PIN, demo_folders


def cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checkpoint_app", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env})


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    st.save(path, st.Settings(checkpoint_id="TY-0007"))
    return path


def test_pin_from_a_file_and_from_stdin(config: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pin.txt"
    secret.write_text("80261\n")
    done = cli("--config", str(config), "set-pin", "--from", str(secret))
    assert done.returncode == 0, done.stderr
    saved = st.load(config)
    assert st.verify_pin("80261", saved.admin_pin) and saved.checkpoint_id == "TY-0007"  # nothing else changed
    assert "80261" not in config.read_text()  # only the salted hash is stored
    assert cli("--config", str(config), "set-pin", "--from", "-", stdin="4711\n").returncode == 0
    assert st.verify_pin("4711", st.load(config).admin_pin)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "١٢٣٤"])
def test_a_bad_pin_is_one_line_and_changes_nothing(config: Path, pin: str) -> None:
    before = config.read_text()
    done = cli("--config", str(config), "set-pin", "--from", "-", stdin=pin + "\n")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "4-8 digits" in done.stderr and "Traceback" not in done.stderr
    assert config.read_text() == before


def test_without_a_terminal_or_a_file_it_says_how(config: Path) -> None:
    done = cli("--config", str(config), "set-pin")
    assert done.returncode == 2 and "--from" in done.stderr and done.stderr.count("\n") == 1


def _typed_at_a_terminal(config: Path, answers: list[str]) -> tuple[int, str]:
    """Runs set-pin on a pseudo-terminal and answers each prompt in turn."""
    main, sub = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "checkpoint_app", "--config", str(config), "set-pin"],
                            stdin=sub, stdout=sub, stderr=sub, start_new_session=True)
    os.close(sub)
    seen = b""
    try:
        for answer in answers:
            while b": " not in seen.rsplit(b"\n", 1)[-1]:
                seen += os.read(main, 1024)
            os.write(main, answer.encode() + b"\r")
            seen += b"\n"
        proc.wait(30)
        while True:
            try:
                chunk = os.read(main, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
        if proc.poll() is None:  # reaped here, not by a later test's collection
            proc.kill()
            proc.wait()
    return proc.returncode, seen.decode(errors="replace")


def test_asked_twice_at_a_terminal(config: Path) -> None:
    code, out = _typed_at_a_terminal(config, ["2580", "2580"])
    assert code == 0, out
    assert "2580" not in out  # not echoed
    assert st.verify_pin("2580", st.load(config).admin_pin)
    code, out = _typed_at_a_terminal(config, ["1111", "1112"])
    assert code == 2 and "differ" in out
    assert st.verify_pin("2580", st.load(config).admin_pin)  # the old PIN stands


@pytest.mark.parametrize("how", ["flag", "setting"])
def test_kiosk_without_a_pin_refuses_to_start(tmp_path: Path, how: str) -> None:
    config = tmp_path / "settings.json"
    st.save(config, st.Settings(kiosk=how == "setting", camera="none"))
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data")] + (["--kiosk"] if how == "flag" else [])
    done = cli(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "set-pin" in done.stderr, done.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was opened


def test_the_demo_keeps_its_pin() -> None:
    settings_path, _ = demo_folders()
    assert st.verify_pin(DEMO_PIN, st.load(settings_path).admin_pin) and DEMO_PIN == "1234"
