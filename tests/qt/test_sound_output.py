"""Issue 10 defect 8 and item 11 in the window: no audio output is shown in the status bar
(not only logged); with an output (a real PulseAudio server with a null sink), each result
plays its tone and then its spoken phrase, in the display language, as a real stream."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from checkpoint_app.core import settings as st
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.sound import GAP_S
from checkpoint_app.gui.style import BAD, CHIP_NEUTRAL
from checkpoint_app.hardware.audio import AudioOutput
from checkpoint_app.resources import resource
from tests.support.audio import NO_SERVER, pulse_null_sink
from tests.support.qt_harness import PIN, Harness

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


def _record_plays(h: Harness) -> list[Path]:
    """Every file handed to the audio player from now on (which still plays it)."""
    started: list[Path] = []
    start = h.app.sound._start

    def recording(output: AudioOutput, path: Path) -> None:
        started.append(path)
        start(output, path)

    h.app.sound._start = recording  # type: ignore[method-assign]
    return started


def _played(h: Harness, started: list[Path], n: int) -> np.ndarray:
    """The samples of the n-th file played (1: the first)."""
    h.qtbot.waitUntil(lambda: len(started) >= n, timeout=5000)
    with wave.open(str(started[n - 1]), "rb") as r:
        return np.frombuffer(r.readframes(r.getnframes()), dtype="<i2")


def _samples(*path: str) -> np.ndarray:
    with wave.open(str(resource(*path)), "rb") as r:
        return np.frombuffer(r.readframes(r.getnframes()), dtype="<i2")


def _speaks(played: np.ndarray, tone: np.ndarray, phrase: np.ndarray, tone_volume: int, volume: int) -> bool:
    """`played` is the tone at its volume, a gap, and the phrase at `volume` percent."""
    head, tail = played[:len(tone)], played[len(played) - len(phrase):]
    return (len(played) == len(tone) + int(GAP_S * 22050) + len(phrase)
            and np.array_equal(head, (tone.astype(np.int32) * tone_volume // 100).astype("<i2"))
            and np.array_equal(tail, (phrase.astype(np.int32) * volume // 100).astype("<i2")))


def test_the_speech_volume_setting_scales_the_spoken_phrase(make_app: MakeApp, pulse: dict[str, str]) -> None:
    """speech_volume scales the words and only them (the tone keeps sound_volume), from the
    settings file at the start and from the settings dialog at run time; 0 leaves the tone."""
    h = make_app(sound_volume=80, speech_volume=25)
    h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
    started = _record_plays(h)
    tone, phrase = _samples("sounds", "attention.wav"), _samples("speech", "zh_CN", "yellow.wav")
    h.show_code("yellow")
    h.wait_screen("result")
    quiet = _played(h, started, 1)
    assert _speaks(quiet, tone, phrase, 80, 25)
    h.qtbot.waitUntil(lambda: "protocol-native" in _streams() or "paplay" in _streams(), timeout=5000)
    dialog = h.app.admin.open_settings()  # the PIN, then the settings dialog, as an installer does
    h.qtbot.keyClicks(dialog.edit, PIN)
    h.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: any(isinstance(d, SettingsDialog) for d in h.app.admin.dialogs))
    settings = next(d for d in h.app.admin.dialogs if isinstance(d, SettingsDialog))
    settings.editors["speech_volume"].setValue(100)  # type: ignore[union-attr]
    settings.save_button.click()
    assert st.load(h.app.settings_path).speech_volume == 100
    h.dismiss()
    h.wait_screen("scan")
    h.later(5)  # past the repeat guard
    h.show_code("yellow")
    loud = _played(h, started, 2)
    assert _speaks(loud, tone, phrase, 80, 100)
    rms = [float(np.sqrt(np.mean(p[-len(phrase):].astype(np.float64) ** 2))) for p in (quiet, loud)]
    assert 3.5 < rms[1] / rms[0] < 4.5  # the words four times as loud, as set
    h.app.apply_settings(dataclasses.replace(h.app.settings, speech_volume=0))
    h.dismiss()
    h.wait_screen("scan")
    h.later(5)
    h.show_code("yellow")
    assert len(_played(h, started, 3)) == len(tone)  # the tone alone: no words
