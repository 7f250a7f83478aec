"""Issue 10 item 11: every result the screen can show has its spoken phrase in both languages,
and each file is real speech: long enough, loud enough, and made of separate bursts of
sound (syllables and words) rather than silence, a click or a steady tone."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from checkpoint_app.core.outcomes import Outcome, Phrase, phrase_of
from checkpoint_app.core.settings import LANGUAGES
from checkpoint_app.resources import resource

PENDING_ACTIONS = ("measure_temperature", "wear_mask")


def _samples(language: str, phrase: Phrase) -> tuple[np.ndarray, int]:
    with wave.open(str(resource("speech", language, f"{phrase.value}.wav")), "rb") as r:
        assert (r.getnchannels(), r.getsampwidth(), r.getframerate()) == (1, 2, 22050)  # joinable with the tones
        return np.frombuffer(r.readframes(r.getnframes()), dtype="<i2").astype(np.float64) / 32768, r.getframerate()


def test_every_outcome_has_a_phrase_in_both_languages() -> None:
    phrases = {phrase_of(o) for o in Outcome if o is not Outcome.PENDING}
    phrases |= {phrase_of(Outcome.PENDING, a) for a in PENDING_ACTIONS}
    assert None not in phrases
    for language in LANGUAGES:
        for phrase in phrases:
            assert phrase is not None and resource("speech", language, f"{phrase.value}.wav").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("phrase", list(Phrase))
def test_each_phrase_is_real_speech(language: str, phrase: Phrase) -> None:
    samples, rate = _samples(language, phrase)
    duration = samples.size / rate
    assert 0.8 <= duration <= 6.0, duration  # a word or a sentence, not a click, not a lecture
    assert np.sqrt(np.mean(samples**2)) >= 0.05  # RMS: loud enough to hear (speech rendered at -3 dBFS peak)
    frame = rate // 50  # 20 ms
    energy = np.sqrt(np.mean(samples[: samples.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
    voiced = energy > 0.15 * energy.max()
    assert 0.3 <= voiced.mean() <= 0.97  # mostly sound, with pauses between
    bursts = np.count_nonzero(voiced[1:] & ~voiced[:-1]) + int(voiced[0])
    assert bursts >= 2, bursts  # syllables and words: a steady tone would be one burst


def test_the_languages_say_different_things() -> None:
    for phrase in Phrase:
        zh, _ = _samples("zh_CN", phrase)
        en, _ = _samples("en", phrase)
        assert zh.size != en.size or not np.array_equal(zh, en)
