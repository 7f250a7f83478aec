"""The self-test's audio checks: an output that plays, and a real spoken phrase for every
result in every language (a checkpoint that is silent without anyone noticing fails the queue)."""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

from checkpoint_app.cli.selftest_checks import CheckFailed

MIN_SPEECH_S, MAX_SPEECH_S, MIN_SPEECH_RMS = 0.8, 8.0, 0.03


def check_audio() -> tuple[str, str]:
    from checkpoint_app.hardware.audio import NoAudio, find_output, play_and_wait

    output = find_output()
    if isinstance(output, NoAudio):
        raise CheckFailed(f"{output.reason}: outcome sounds and spoken results would be silent")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "selftest.wav"
        with wave.open(str(probe), "wb") as w:  # a fifth of a second of silence: nobody at the desk jumps
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(b"\0\0" * 4410)
        problem = play_and_wait(output, probe)
    if problem is not None:
        raise CheckFailed(f"{output.name}: {problem}")
    return "ok", f"a test sound played through {Path(output.player).name} to {output.name}"


def check_speech() -> tuple[str, str]:
    from checkpoint_app.core.outcomes import Phrase
    from checkpoint_app.core.settings import LANGUAGES
    from checkpoint_app.hardware.audio import measure_wav
    from checkpoint_app.resources import resource

    bad = []
    for language in LANGUAGES:
        for phrase in Phrase:
            path = resource("speech", language, f"{phrase.value}.wav")
            try:
                duration, rms = measure_wav(path)
            except (OSError, wave.Error, EOFError) as exc:
                bad.append(f"{language}/{phrase.value} ({type(exc).__name__})")
                continue
            if not (MIN_SPEECH_S <= duration <= MAX_SPEECH_S and rms >= MIN_SPEECH_RMS):
                bad.append(f"{language}/{phrase.value} ({duration:.1f} s, RMS {rms:.3f})")
    if bad:
        raise CheckFailed(f"spoken results missing or silent in {resource('speech')}: {', '.join(bad)}")
    return "ok", f"{len(Phrase)} spoken results in {', '.join(LANGUAGES)}"
