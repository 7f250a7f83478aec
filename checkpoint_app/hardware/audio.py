"""Finding the audio output the outcome sounds and spoken results go to (no Qt).

A checkpoint that is silent without anyone noticing fails the queue: the guard counts on
the alarm for a red code. So the output is looked for, not assumed: a PulseAudio or
PipeWire server (`pactl`) with a sink, played to with `paplay`; else an ALSA sound card
(/proc/asound/cards), played to with `aplay`. Windows plays through winsound.
`find_output()` answers within a few seconds at most; call it off the GUI thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT_S = 3.0
ALSA_CARDS = Path("/proc/asound/cards")


@dataclass(frozen=True, slots=True)
class AudioOutput:
    player: str  # the program that plays a WAV file given as its last argument ("winsound" on Windows)
    name: str  # what it plays to, for the log, the selftest and the status bar


@dataclass(frozen=True, slots=True)
class NoAudio:
    reason: str  # one line, naming what is missing


Which = Callable[[str], str | None]


def find_output(which: Which = shutil.which, cards: Path = ALSA_CARDS) -> AudioOutput | NoAudio:
    if sys.platform == "win32":
        return AudioOutput("winsound", "Windows default output")
    pulse = _pulse_sink(which)
    if isinstance(pulse, AudioOutput):
        return pulse
    alsa = _alsa_card(which, cards)
    if isinstance(alsa, AudioOutput):
        return alsa
    return NoAudio(f"no audio output: {pulse.reason}, and {alsa.reason}")


def _pulse_sink(which: Which) -> AudioOutput | NoAudio:
    pactl, paplay = which("pactl"), which("paplay")
    if pactl is None or paplay is None:
        return NoAudio("no PulseAudio/PipeWire client (apt-get install pulseaudio-utils)")
    try:
        done = subprocess.run([pactl, "list", "short", "sinks"], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, check=False, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return NoAudio(f"the PulseAudio/PipeWire server did not answer ({type(exc).__name__})")
    if done.returncode != 0:
        return NoAudio("no PulseAudio/PipeWire server running")
    sinks = [line.split("\t")[1] for line in done.stdout.splitlines() if line.count("\t") >= 1]
    if not sinks:
        return NoAudio("the PulseAudio/PipeWire server has no output (sink)")
    return AudioOutput(paplay, f"PulseAudio sink {sinks[0]}")


def _alsa_card(which: Which, cards: Path) -> AudioOutput | NoAudio:
    try:
        text = cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    found = [line.split("]:", 1)[1].strip() for line in text.splitlines() if "]:" in line]
    if not found:
        return NoAudio("no ALSA sound card")
    aplay = which("aplay")
    if aplay is None:
        return NoAudio(f"ALSA card {found[0]} but no aplay (apt-get install alsa-utils)")
    return AudioOutput(aplay, f"ALSA card {found[0]}")


def play_and_wait(output: AudioOutput, wav: Path, timeout_s: float = 10.0) -> str | None:
    """Plays `wav` to the end (for the selftest); None when it worked, else why not."""
    if output.player == "winsound":
        if sys.platform == "win32":  # where find_output chooses it
            import winsound

            winsound.PlaySound(str(wav), winsound.SND_FILENAME)
        return None
    try:
        done = subprocess.run([output.player, str(wav)], capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{Path(output.player).name} failed: {type(exc).__name__}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"{Path(output.player).name} failed: {last}"
    return None


def measure_wav(path: Path) -> tuple[float, float]:
    """Duration in seconds and RMS level (0-1 of full scale) of a 16-bit WAV file."""
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as r:
        if r.getsampwidth() != 2:
            raise wave.Error(f"{path.name}: {8 * r.getsampwidth()}-bit, not 16-bit")
        samples = np.frombuffer(r.readframes(r.getnframes()), dtype="<i2").astype(np.float64) / 32768
        duration = r.getnframes() / r.getframerate()
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    return duration, rms
