"""Weeks of running with the sound: the audio server dies mid-run and comes back, a spoken
phrase file is missing or damaged. A real PulseAudio server with a null sink, real files."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from checkpoint_app.resources import resources_dir
from tests.support.audio import pulse_null_sink
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _streams() -> str:
    return subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True, text=True, timeout=5,
                          env=os.environ.copy()).stdout


def _next_result(h: Harness, label: str) -> None:
    if h.window.current_screen() is h.window.result:
        h.dismiss()
        h.wait_screen("scan")
        h.later(10)  # past the repeat guard
    h.show_code(label)
    h.wait_screen("result")


def test_the_audio_server_dies_and_comes_back(make_app: MakeApp, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The output was looked for once, at the start: with the server gone every alarm
    failed in silence while the status bar said nothing, and a server back (or started
    after the window) was never used until a restart."""
    folder = tmp_path / "pulse"
    with pulse_null_sink(folder) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        h = make_app()
        h.app.sound._reprobe.setInterval(300)
        chip = h.window.status.sound
        h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
        assert not chip.isVisibleTo(h.window)
    _next_result(h, "red-hospital")  # the alarm, to no server
    h.qtbot.waitUntil(lambda: chip.isVisibleTo(h.window), timeout=10000)
    assert chip.text() == "声音关闭：无音频输出"
    with pulse_null_sink(folder):
        h.qtbot.waitUntil(lambda: not chip.isVisibleTo(h.window), timeout=10000)
        _next_result(h, "yellow")
        h.qtbot.waitUntil(lambda: "protocol-native" in _streams() or "paplay" in _streams(), timeout=5000)


@pytest.mark.parametrize("damage", ["missing", "not a WAV file"])
def test_a_bad_phrase_file_never_silences_the_alarm(make_app: MakeApp, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, damage: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """The tone and the phrase were joined into one file; a phrase that could not be read
    lost the whole sound, the red code's alarm with it, with a traceback at every visit."""
    resources = tmp_path / "resources"
    resources.mkdir()
    for part in resources_dir().iterdir():
        if part.name != "speech":
            (resources / part.name).symlink_to(part)
    speech = resources / "speech" / "zh_CN"
    speech.mkdir(parents=True)
    for wav in (resources_dir() / "speech" / "zh_CN").glob("*.wav"):
        (speech / wav.name).write_bytes(wav.read_bytes())
    if damage == "missing":
        (speech / "red.wav").unlink()
    else:
        (speech / "red.wav").write_bytes(b"RIFF\0\0\0\0WAVEjunk")
    monkeypatch.setenv("CHECKPOINT_RESOURCES", str(resources))
    with pulse_null_sink(tmp_path / "pulse") as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        h = make_app()
        h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
        for _ in range(2):
            _next_result(h, "red-hospital")
            assert h.app.sound.last_played == "alarm"
            h.qtbot.waitUntil(lambda: "protocol-native" in _streams() or "paplay" in _streams(), timeout=5000)
    assert caplog.text.count("red") and "Traceback" not in caplog.text
    assert sum("unavailable" in r.getMessage() for r in caplog.records) == 1  # once, not per visit


def test_the_joined_sounds_are_this_process_own(make_app: MakeApp, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """They were written to /tmp/checkpoint-sounds, a name any local user can take first:
    a folder of theirs, or files swapped so the queue hears "please go in" at a red code."""
    shared = Path("/tmp/checkpoint-sounds")
    with pulse_null_sink(tmp_path / "pulse") as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        h = make_app()
        h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
        before = {p.name for p in shared.glob("*")} if shared.is_dir() else set()
        _next_result(h, "red-hospital")
        cache = h.app.sound._cache
        assert cache is not None and cache != shared and stat.S_IMODE(cache.stat().st_mode) == 0o700
        assert list(cache.glob("*.wav"))
        after = {p.name for p in shared.glob("*")} if shared.is_dir() else set()
        assert after == before
        h.app.sound.stop()
        assert not cache.exists()
