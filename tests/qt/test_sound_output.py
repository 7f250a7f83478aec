"""Issue 10 defect 8 and item 11 in the window: no audio output is shown in the status bar
(not only logged); with an output (a real PulseAudio server with a null sink), each result
plays its tone and then its spoken phrase, in the display language, as a real stream."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checkpoint_app.gui.style import BAD, CHIP_NEUTRAL
from tests.support.audio import NO_SERVER, pulse_null_sink
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with pulse_null_sink(tmp_path / "pulse") as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield env


def _streams() -> str:
    return subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True, text=True, timeout=5,
                          env=os.environ.copy()).stdout


def test_no_audio_output_shows_sound_off(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULSE_SERVER", NO_SERVER["PULSE_SERVER"])
    monkeypatch.setattr("checkpoint_app.hardware.audio.ALSA_CARDS", Path("/nonexistent/cards"))
    h = make_app()
    chip = h.window.status.sound
    h.qtbot.waitUntil(lambda: chip.isVisibleTo(h.window), timeout=5000)
    assert chip.text() == "声音关闭：无音频输出" and BAD in chip.styleSheet()
    h.app.set_language("en")
    assert chip.text() == "Sound off: no audio output"


def test_sound_turned_off_on_purpose_is_not_an_alarm(make_app: MakeApp, pulse: dict[str, str]) -> None:
    h = make_app(sound_volume=0, speech_volume=0)
    chip = h.window.status.sound
    h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
    assert chip.isVisibleTo(h.window) and chip.text() == "声音关闭" and CHIP_NEUTRAL in chip.styleSheet()


def test_a_result_is_spoken_in_the_display_language(make_app: MakeApp, pulse: dict[str, str]) -> None:
    h = make_app()
    h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
    assert not h.window.status.sound.isVisibleTo(h.window)  # an output was found: nothing to warn about
    h.show_code("yellow")
    h.wait_screen("result")
    assert (h.app.sound.last_played, h.app.sound.last_spoken) == ("attention", "zh_CN/yellow")
    h.qtbot.waitUntil(lambda: "paplay" in _streams() or "protocol-native" in _streams(), timeout=5000)
    h.dismiss()
    h.wait_screen("scan")
    h.app.set_language("en")
    h.show_code("red-hospital")
    h.wait_screen("result")
    assert (h.app.sound.last_played, h.app.sound.last_spoken) == ("alarm", "en/red")
