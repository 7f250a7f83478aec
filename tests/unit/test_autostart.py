"""install-autostart / uninstall-autostart: the generated texts and the files in a temporary HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from checkpoint_app.core.autostart import (
    autostart_path,
    launch_command,
    plan_install,
    systemd_unit,
    windows_startup_script,
)


def test_launch_command_of_a_venv_and_of_a_bundle() -> None:
    assert launch_command(executable="/opt/cp/.venv/bin/python", frozen=False) == \
        ["/opt/cp/.venv/bin/python", "-m", "checkpoint_app", "--kiosk"]
    assert launch_command(["--data-dir", "/srv/cp"], executable="/opt/cp/checkpoint-app", frozen=True) == \
        ["/opt/cp/checkpoint-app", "--kiosk", "--data-dir", "/srv/cp"]


def test_systemd_unit_restarts_always_and_quotes_like_systemd() -> None:
    unit = systemd_unit(["/opt/check point/python", "-m", "checkpoint_app", "--kiosk", "--data-dir", "/srv/100%"],
                        {"DISPLAY": ":0", "HOME": "/home/kiosk"})
    lines = unit.splitlines()
    assert 'ExecStart="/opt/check point/python" -m checkpoint_app --kiosk --data-dir /srv/100%%' in lines
    assert "Restart=always" in lines and "StartLimitIntervalSec=0" in lines
    assert "RestartPreventExitStatus=0" in lines  # leaving with the admin PIN stays down
    assert "Environment=DISPLAY=:0" in lines and not any("HOME" in line for line in lines)
    assert lines[lines.index("[Install]") + 1] == "WantedBy=default.target"


def test_windows_script_loops_until_a_clean_exit() -> None:
    exe = r"C:\Program Files\checkpoint\checkpoint-app.exe"
    script = windows_startup_script([exe, "--kiosk", "--config", "50%.ini"])
    lines = script.split("\r\n")
    assert '"C:\\Program Files\\checkpoint\\checkpoint-app.exe" --kiosk --config 50%%.ini' in lines
    assert lines.index(":loop") < lines.index("if %ERRORLEVEL%==0 exit /b 0") < lines.index("goto loop")
    assert "\n" not in script.replace("\r\n", "")  # cmd.exe wants CRLF throughout


def test_paths_follow_xdg_and_appdata(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert autostart_path("linux", {}, home) == home / ".config/systemd/user/checkpoint.service"
    assert autostart_path("linux", {"XDG_CONFIG_HOME": "/x"}, home) == Path("/x/systemd/user/checkpoint.service")
    startup = autostart_path("win32", {"APPDATA": str(tmp_path / "Roaming")}, home)
    assert startup == tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup/checkpoint-kiosk.cmd"
    assert plan_install("win32", ["x"], {}, home).commands == ()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("DISPLAY", ":7")
    return tmp_path


def test_install_without_systemctl_writes_the_unit_and_says_what_to_run(home, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(home / "empty-bin"))  # no systemctl on this machine
    assert main(["--data-dir", "site-data", "install-autostart"]) == 0
    unit = home / "config/systemd/user/checkpoint.service"
    text = unit.read_text()
    assert f"--kiosk --data-dir {Path('site-data').resolve()}" in text and "Environment=DISPLAY=:7" in text
    out = capsys.readouterr().out
    assert f"wrote {unit}" in out and "systemctl --user enable checkpoint.service" in out

    assert main(["uninstall-autostart"]) == 0
    assert not unit.exists()
    assert main(["uninstall-autostart"]) == 0
    assert "nothing to remove" in capsys.readouterr().out


@pytest.mark.skipif(not os.path.exists("/usr/bin/systemctl"), reason="needs systemctl")
def test_install_where_systemctl_cannot_reach_a_user_session(home, monkeypatch, capsys) -> None:
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.path.exists(f"/run/user/{os.getuid()}/bus"):
        pytest.skip("a user session exists here; enabling the unit for real is not for a test")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert main(["install-autostart"]) == 1
    captured = capsys.readouterr()
    [error] = captured.err.splitlines()
    assert error.startswith("checkpoint-app: error: systemctl --user daemon-reload failed:")
    assert "systemctl --user enable checkpoint.service" in captured.out
    assert (home / "config/systemd/user/checkpoint.service").exists()  # the file is in place anyway


def test_dry_run_writes_nothing(home, capsys) -> None:
    assert main(["install-autostart", "--dry-run"]) == 0
    assert "Restart=always" in capsys.readouterr().out
    assert not (home / "config/systemd").exists()


def test_windows_install_into_the_startup_folder(home, capsys) -> None:
    assert main(["install-autostart", "--platform", "win32"]) == 0
    script = home / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup/checkpoint-kiosk.cmd"
    assert b"\r\n:loop\r\n" in script.read_bytes()
    assert main(["uninstall-autostart", "--platform", "win32"]) == 0
    assert not script.exists()
