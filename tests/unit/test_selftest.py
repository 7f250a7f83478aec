"""checkpoint-app selftest as an operator runs it: a process, a report, an exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.resources import resources_dir
from tests.support.audio import NO_SERVER, pulse_null_sink

CHECK_NAMES = ["crypto", "verify", "decoders", "store", "qt", "fonts", "translations", "camera", "audio", "speech",
               "kiosk"]


@pytest.fixture(autouse=True)
def audio_output(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A working installation has an audio output: a PulseAudio null sink here."""
    with pulse_null_sink(tmp_path_factory.mktemp("pulse")) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield


def selftest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run([sys.executable, "-m", "checkpoint_app", "selftest", *args], env={**environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_no_audio_output_fails_naming_it() -> None:
    """Issue 10 defect 8: without an audio output only the log said that sounds are off."""
    done = selftest(**NO_SERVER)
    assert done.returncode == 1
    [audio] = [line for line in done.stdout.splitlines() if line.split()[1:2] == ["audio"]]
    assert audio.split()[0] == "FAIL" and "no audio output" in audio and "PulseAudio" in audio, audio


@pytest.fixture
def resources_with_a_silent_phrase(tmp_path: Path) -> Path:
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir(), copy)
    with wave.open(str(copy / "speech" / "zh_CN" / "red.wav"), "wb") as w:  # two seconds of nothing
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\0\0" * 44100)
    (copy / "speech" / "en" / "fever.wav").unlink()
    return copy


def test_missing_or_silent_speech_fails(resources_with_a_silent_phrase: Path) -> None:
    done = selftest("--json", CHECKPOINT_RESOURCES=str(resources_with_a_silent_phrase))
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert done.returncode == 1 and checks["speech"]["status"] == "FAIL"
    assert "zh_CN/red" in checks["speech"]["detail"] and "en/fever" in checks["speech"]["detail"]
    assert checks["audio"]["status"] == "ok"


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
