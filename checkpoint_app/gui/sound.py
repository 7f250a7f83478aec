"""Outcome sounds and spoken results, without QtMultimedia.

QSoundEffect needs pyside6-addons (about 400 MB more, and libpulse) for a few short WAVs;
a checkpoint PC plays them as well with the platform's own player: winsound on Windows,
paplay (PulseAudio, PipeWire) or aplay (ALSA) on Linux, whichever has an output
(hardware/audio.py, looked for once off the GUI thread). An outcome plays as one file:
its tone at `volume`, then its phrase (resources/speech/<language>/<phrase>.wav) at
`speech_volume`, joined and scaled once per combination into a cache folder. A new
outcome cuts the one still playing short: the queue hears the newest result.

Signals: output_found(object): an AudioOutput, or NoAudio with the reason (for the status bar)."""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QProcess, Signal, Slot

from checkpoint_app.hardware.audio import AudioOutput, NoAudio, find_output
from checkpoint_app.resources import resource

log = logging.getLogger("checkpoint.sound")
GAP_S = 0.12  # between the tone and the phrase


def _read(path: Path) -> tuple[wave._wave_params, np.ndarray]:
    with wave.open(str(path), "rb") as r:
        return r.getparams(), np.frombuffer(r.readframes(r.getnframes()), dtype="<i2")


def join_wav(parts: list[tuple[Path, int]], out: Path) -> Path:
    """The parts one after another, each at its volume (percent), with a short gap between.
    The parts share one format (22050 Hz mono 16 bit: resources/sounds and resources/speech)."""
    params, chunks = None, []
    for path, volume in parts:
        p, samples = _read(path)
        if params is not None:
            if (p.nchannels, p.sampwidth, p.framerate) != (params.nchannels, params.sampwidth, params.framerate):
                raise wave.Error(f"{path.name}: {p.framerate} Hz x{p.nchannels}, not like the others")
            chunks.append(np.zeros(int(GAP_S * p.framerate) * p.nchannels, dtype="<i2"))
        params = p
        chunks.append((samples.astype(np.int32) * volume // 100).astype("<i2"))
    assert params is not None
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        w.writeframes(np.concatenate(chunks).tobytes())
    return out


class SoundPlayer(QObject):
    output_found = Signal(object)

    def __init__(self, volume: int = 80, speech_volume: int = 80, language: str = "zh_CN",
                 *, probe: bool = True) -> None:
        super().__init__()
        self.volume, self.speech_volume, self.language = volume, speech_volume, language
        self.last_played: str | None = None  # the tone the last play() asked for, for tests and logs
        self.last_spoken: str | None = None  # and its phrase, as "<language>/<phrase>"
        self.output: AudioOutput | NoAudio | None = None  # None: still looking
        self._cache = Path(tempfile.gettempdir()) / "checkpoint-sounds"
        self._joined: dict[tuple[object, ...], Path] = {}  # disk work once per combination, not per person
        self._playing: QProcess | None = None
        self.output_found.connect(self._on_output_found)
        if probe:
            threading.Thread(target=lambda: self.output_found.emit(find_output()), name="audio-probe",
                             daemon=True).start()

    @Slot(object)
    def _on_output_found(self, output: AudioOutput | NoAudio) -> None:
        self.output = output
        if isinstance(output, NoAudio):
            log.warning("outcome sounds and spoken results are off: %s", output.reason)
        else:
            log.info("sounds play through %s to %s", Path(output.player).name, output.name)

    def play(self, sound: str, phrase: str | None = None) -> None:
        """The outcome's tone, then its spoken phrase (if any) in the current language."""
        self.last_played, self.last_spoken = sound, None if phrase is None else f"{self.language}/{phrase}"
        parts = [(resource("sounds", f"{sound}.wav"), self.volume)] if self.volume > 0 else []
        if phrase is not None and self.speech_volume > 0:
            parts.append((resource("speech", self.language, f"{phrase}.wav"), self.speech_volume))
        if not parts or not isinstance(self.output, AudioOutput):
            return
        path = self._file(parts)
        if path is not None:
            self._start(self.output, path)

    def _file(self, parts: list[tuple[Path, int]]) -> Path | None:
        key = tuple(parts)
        path = self._joined.get(key)
        if path is None:
            name = "+".join(f"{p.parent.name}-{p.stem}-{v}" for p, v in parts)
            try:
                self._cache.mkdir(exist_ok=True)
                path = join_wav(parts, self._cache / f"{name}.wav")
            except (OSError, wave.Error, EOFError):
                log.exception("sound %s unavailable", name)
                return None
            self._joined[key] = path
        return path

    def _start(self, output: AudioOutput, path: Path) -> None:
        if sys.platform == "win32":
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)  # type: ignore[attr-defined]
            return
        if self._playing is not None and self._playing.state() != QProcess.ProcessState.NotRunning:
            self._playing.kill()  # the newest result is what the queue must hear
        process = QProcess(self)
        process.finished.connect(lambda *_: self._on_finished(process))
        process.start(output.player, [str(path)])
        self._playing = process

    def _on_finished(self, process: QProcess) -> None:
        if self._playing is process:
            self._playing = None
        process.deleteLater()

    def stop(self) -> None:
        if self._playing is not None and self._playing.state() != QProcess.ProcessState.NotRunning:
            self._playing.kill()
            self._playing.waitForFinished(1000)
