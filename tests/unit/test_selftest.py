"""checkpoint-app selftest as an operator runs it: a process, a report, an exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.resources import resources_dir

CHECK_NAMES = ["crypto", "verify", "decoders", "store", "qt", "fonts", "translations", "camera"]


def selftest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run([sys.executable, "-m", "checkpoint_app", "selftest", *args], env={**environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_a_working_installation_passes_with_a_readable_report() -> None:
    done = selftest()
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("checkpoint-app selftest (")
    assert [line.split()[1] for line in lines[1:-1]] == CHECK_NAMES
    assert all(line.split()[0] in ("ok", "warn") for line in lines[1:-1])
    assert lines[-1].endswith(" 0 failed")


def test_json_report() -> None:
    done = selftest("--json")
    report = json.loads(done.stdout)
    assert report["ok"] is True and [c["name"] for c in report["checks"]] == CHECK_NAMES


@pytest.fixture
def resources_without_translations(tmp_path: Path) -> Path:
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir(), copy, ignore=shutil.ignore_patterns("*.qm"))
    return copy


def test_missing_translation_fails_and_the_rest_still_runs(resources_without_translations: Path) -> None:
    done = selftest("--json", CHECKPOINT_RESOURCES=str(resources_without_translations))
    assert done.returncode == 1
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["translations"]["status"] == "FAIL"
    assert "checkpoint_zh_CN.qm missing" in checks["translations"]["detail"]
    assert checks["verify"]["status"] == "ok"  # one failure does not hide the others


def test_a_machine_without_chinese_fonts_fails(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"  # fontconfig with no font folders: what a bare target looks like
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    done = selftest(FONTCONFIG_FILE=str(config), QT_QPA_FONTDIR=str(tmp_path))
    assert done.returncode == 1
    [fonts] = [line for line in done.stdout.splitlines() if line.split()[1:2] == ["fonts"]]
    assert fonts.split()[0] == "FAIL" and "fonts-wqy-microhei" in fonts
