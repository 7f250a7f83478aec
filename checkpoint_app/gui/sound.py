"""Outcome sounds without QtMultimedia.

QSoundEffect needs pyside6-addons (about 400 MB more, and libpulse) for six short WAVs; a
checkpoint PC plays them as well with the platform's own player: winsound on Windows,
aplay / paplay / pw-play on Linux, started detached so the GUI thread never waits. The
volume is applied by scaling the samples once per volume into a cache folder."""

from __future__ import annotations

import array
import logging
import shutil
import sys
import tempfile
import wave
from pathlib import Path

from PySide6.QtCore import QProcess

from checkpoint_app.resources import resource

log = logging.getLogger("checkpoint.sound")
PLAYERS = ("aplay", "paplay", "pw-play")


def scaled_wav(src: Path, volume: int, cache: Path) -> Path:
    out = cache / f"{src.stem}-{volume}.wav"
    if out.exists():
        return out
    with wave.open(str(src), "rb") as r:
        params, frames = r.getparams(), r.readframes(r.getnframes())
    samples = array.array("h", frames)
    for i, v in enumerate(samples):
        samples[i] = int(v * volume / 100)
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        w.writeframes(samples.tobytes())
    return out


class SoundPlayer:
    def __init__(self, volume: int = 80) -> None:
        self.volume = volume
        self.last_played: str | None = None  # what the last play() asked for, for tests and logs
        self._cache = Path(tempfile.gettempdir()) / "checkpoint-sounds"
        self._scaled: dict[tuple[str, int], Path] = {}  # disk work once per sound and volume, not per person
        self._player = None if sys.platform == "win32" else next(filter(None, map(shutil.which, PLAYERS)), None)
        if self._player is None and sys.platform != "win32":
            log.info("no audio player (%s) found; outcome sounds are off", "/".join(PLAYERS))

    def play(self, name: str) -> None:
        self.last_played = name
        if self.volume <= 0:
            return
        path = self._scaled.get((name, self.volume))
        if path is None:
            try:
                self._cache.mkdir(exist_ok=True)
                path = scaled_wav(resource("sounds", f"{name}.wav"), self.volume, self._cache)
            except (OSError, wave.Error):
                log.exception("sound %s unavailable", name)
                return
            self._scaled[(name, self.volume)] = path
        if sys.platform == "win32":
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)  # type: ignore[attr-defined]
        elif self._player is not None:
            QProcess.startDetached(self._player, [str(path)])
