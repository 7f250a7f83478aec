"""An unlucky install of the kiosk: the admin PIN typed into the settings file or cut short,
a settings file broken by a hand edit, a settings file other users can read. The real
command line on real files; the window runs as a subprocess (offscreen) so that a kiosk
that starts when it must not shows up as a timeout, not a hang."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st

PIN_HASH = st.hash_pin("2468")


def _kiosk(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(tmp_path / "log")}
    try:
        return subprocess.run([sys.executable, "-m", "checkpoint_app", "--kiosk", "--config", str(config),
                               "--data-dir", str(tmp_path / "data")], env=env, capture_output=True, text=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the kiosk started: with this PIN nobody could ever leave it or open its settings")


def _write(path: Path, **values: object) -> None:
    path.write_text(json.dumps({"server_url": "https://platform.example", "checkpoint_id": "TY-XD-0042", **values}),
                    encoding="utf-8")


@pytest.mark.parametrize("stored", ["2468", "scrypt$16384$8$1$00ff", PIN_HASH[:-7], "sha256$2468"],
                         ids=["the PIN itself", "a hash cut short", "a digest cut short", "another scheme"])
def test_a_pin_no_hash_could_match_is_no_pin(tmp_path: Path, stored: str) -> None:
    """The kiosk started with it, and every PIN typed was wrong: nobody could leave it or
    reach its settings, and the lockout made each try slower."""
    config = tmp_path / "settings.json"
    _write(config, admin_pin=stored)
    done = _kiosk(config, tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()[-1:]
    assert "admin_pin" in line and "set-pin" in line, done.stderr
    assert not st.is_pin_hash(stored) and st.is_pin_hash(PIN_HASH)


def test_a_broken_settings_file_is_named_and_never_replaced_by_defaults(tmp_path: Path) -> None:
    """A trailing comma from a hand edit: the kiosk said "no admin PIN: run set-pin", and
    set-pin wrote the defaults over the file (server, token, checkpoint id: all gone)."""
    config = tmp_path / "settings.json"
    text = json.dumps({"server_url": "https://platform.example", "admin_pin": PIN_HASH})[:-1] + ",}"
    config.write_text(text, encoding="utf-8")
    done = _kiosk(config, tmp_path)
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert "unusable" in line and "not JSON" in line and "set-pin" not in line, done.stderr
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("1357\n", encoding="utf-8")
    set_pin = subprocess.run([sys.executable, "-m", "checkpoint_app", "--config", str(config), "set-pin", "--from",
                              str(pin_file)], capture_output=True, text=True, timeout=60)
    assert set_pin.returncode == 2 and "unusable" in set_pin.stderr
    assert config.read_text(encoding="utf-8") == text


def test_saving_over_a_broken_file_keeps_it_beside(tmp_path: Path) -> None:
    config = tmp_path / "settings.json"
    config.write_text('{"server_url": "https://platform.example",', encoding="utf-8")
    st.save(config, st.Settings(language="en"))
    assert st.load(config).language == "en"
    assert (tmp_path / "settings.json.broken").read_text(encoding="utf-8").startswith('{"server_url"')


def test_a_settings_file_others_can_read_is_made_the_owners(tmp_path: Path) -> None:
    """It holds the PIN's hash (4-8 digits: guessed offline in minutes) and the token."""
    config = tmp_path / "settings.json"
    _write(config)  # no PIN: the kiosk refuses, after making the file its owner's
    config.chmod(0o644)
    assert _kiosk(config, tmp_path).returncode == 2
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_the_selftest_warns_of_what_the_kiosk_cannot_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian's kernel.sysrq=438 lets Alt+SysRq+R hand the keyboard back to the kernel,
    then Ctrl+Alt+F2 opens a text console whatever X's DontVTSwitch says; Alt+SysRq+B
    reboots. Nothing in the window can see those keys: the installer must be told."""
    from checkpoint_app.cli import selftest_kiosk

    sysrq = tmp_path / "sysrq"  # /proc/sys/kernel/sysrq, which this container does not have
    monkeypatch.setattr(selftest_kiosk, "SYSRQ", sysrq)
    config = tmp_path / "settings.json"
    _write(config)
    sysrq.write_text("438\n", encoding="ascii")
    status, detail = selftest_kiosk.check_kiosk(config)
    assert status == "warn" and "kernel.sysrq=438" in detail and "no admin PIN" in detail
    sysrq.write_text("0\n", encoding="ascii")
    _write(config, admin_pin=PIN_HASH)
    assert selftest_kiosk.check_kiosk(config)[0] == "ok"
    config.write_text("{", encoding="utf-8")
    status, detail = selftest_kiosk.check_kiosk(config)
    assert status == "warn" and "unusable" in detail
