"""Outcome sounds and spoken results, without QtMultimedia.

QSoundEffect needs pyside6-addons (about 400 MB more, and libpulse) for a few short WAVs;
a checkpoint PC plays them as well with the platform's own player: winsound on Windows,
paplay (PulseAudio, PipeWire) or aplay (ALSA) on Linux, whichever has an output
(hardware/audio.py, looked for once off the GUI thread). An outcome plays as one file:
its tone at `volume`, then its phrase (resources/speech/<language>/<phrase>.wav) at
`speech_volume`, joined and scaled once per combination into a cache folder. A new
outcome cuts the one still playing short: the queue hears the newest result.

The output is looked for again whenever a play fails (the audio server died, the USB
speaker was pulled) and, while there is none, every `reprobe_ms` (a server that starts
after the window, a speaker plugged in): the status bar follows within seconds. A phrase
file missing or damaged loses the phrase, never the outcome's tone (the alarm). The joined
files live in a private folder of this process (a shared /tmp name let another local user
swap what the queue hears).

Signals: output_found(object): an AudioOutput, or NoAudio with the reason (for the status bar)."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QProcess, QTimer, Signal, Slot

from checkpoint_app.hardware.audio import AudioOutput, NoAudio, find_output
from checkpoint_app.resources import resource
from checkpoint_app.workers.tasks import TaskRunner

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
                 *, tasks: TaskRunner, probe: bool = True, reprobe_ms: int = 30_000) -> None:
        super().__init__()
        self._tasks = tasks
        self.volume, self.speech_volume, self.language = volume, speech_volume, language
        self.last_played: str | None = None  # the tone the last play() asked for, for tests and logs
        self.last_spoken: str | None = None  # and its phrase, as "<language>/<phrase>"
        self.output: AudioOutput | NoAudio | None = None  # None: still looking
        self._cache: Path | None = None  # made at the first play
        self._joined: dict[tuple[object, ...], Path | None] = {}  # once per combination; None: unplayable
        self._playing: QProcess | None = None
        self._probing, self._stopped = False, False
        self._reprobe = QTimer(self, interval=reprobe_ms, singleShot=True)
        self._reprobe.timeout.connect(self.probe)
        if probe:
            self.probe()

    @Slot()
    def probe(self) -> None:
        """Look for the output (again), off the GUI thread: pactl may take seconds."""
        if self._probing or self._stopped:
            return
        self._probing = True
        self._tasks.run(find_output, self._on_output_found, receiver=self)

    def _on_output_found(self, output: AudioOutput | NoAudio) -> None:
        self._probing = False
        if self._stopped:
            return
        if output != self.output:
            if isinstance(output, NoAudio):
                log.warning("outcome sounds and spoken results are off: %s", output.reason)
            else:
                log.info("sounds play through %s to %s", Path(output.player).name, output.name)
        self.output = output
        if isinstance(output, NoAudio):
            self._reprobe.start()
        self.output_found.emit(output)

    def play(self, sound: str, phrase: str | None = None) -> None:
        """The outcome's tone, then its spoken phrase (if any) in the current language."""
        self.last_played, self.last_spoken = sound, None if phrase is None else f"{self.language}/{phrase}"
        parts = [(resource("sounds", f"{sound}.wav"), self.volume)] if self.volume > 0 else []
        if phrase is not None and self.speech_volume > 0:
            parts.append((resource("speech", self.language, f"{phrase}.wav"), self.speech_volume))
        if not parts or not isinstance(self.output, AudioOutput):
            return
        path = self._file(parts)
        if path is None and len(parts) > 1:
            path = self._file(parts[:1])  # the tone alone: the alarm must sound without its words
        if path is not None:
            self._start(self.output, path)

    def _file(self, parts: list[tuple[Path, int]]) -> Path | None:
        key = tuple(parts)
        if key in self._joined:
            return self._joined[key]
        name = "+".join(f"{p.parent.name}-{p.stem}-{v}" for p, v in parts)
        path: Path | None = None
        try:
            if self._cache is None:
                self._cache = Path(tempfile.mkdtemp(prefix="checkpoint-sounds-"))  # 0700, a fresh name
            path = join_wav(parts, self._cache / f"{name}.wav")
        except (OSError, wave.Error, EOFError, ValueError) as exc:
            log.error("sound %s unavailable: %s", name, exc)  # once per combination, not per person
        self._joined[key] = path
        return path

    def _start(self, output: AudioOutput, path: Path) -> None:
        if sys.platform == "win32":
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
            return
        if self._playing is not None and self._playing.state() != QProcess.ProcessState.NotRunning:
            self._playing.kill()  # the newest result is what the queue must hear
        process = QProcess(self)
        process.finished.connect(lambda code, status: self._on_finished(process, code, status))
        process.errorOccurred.connect(lambda error: self._on_error(process, error))
        process.start(output.player, [str(path)])
        self._playing = process

    def _on_finished(self, process: QProcess, code: int, status: QProcess.ExitStatus) -> None:
        if self._playing is process:
            self._playing = None
        process.deleteLater()
        if status == QProcess.ExitStatus.NormalExit and code != 0:  # not our kill: the output failed
            log.warning("%s failed (exit status %d); looking for the audio output again", process.program(), code)
            self.probe()

    def _on_error(self, process: QProcess, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.warning("%s did not start; looking for the audio output again", process.program())
            if self._playing is process:
                self._playing = None
            self.probe()

    def stop(self) -> None:
        self._stopped = True
        self._reprobe.stop()
        if self._playing is not None and self._playing.state() != QProcess.ProcessState.NotRunning:
            self._playing.kill()
            self._playing.waitForFinished(1000)
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)
            self._cache, self._joined = None, {}
