"""The shipped phrase files say today's words: resources/speech/manifest.json (written by
resources/speech/render.py) holds, for each file, the text it was rendered from and the
SHA-256 of that text and of the file. A phrase (or its translation) changed without
rendering again, or a file replaced by hand, fails here, naming the file and the command.
In tests/qt: the Chinese words come from the compiled Qt translation, as on the screen."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.outcomes import Phrase
from checkpoint_app.gui import texts
from checkpoint_app.gui.i18n import LanguageSwitcher
from checkpoint_app.resources import resource

SPEECH = resource("speech")
LANGUAGES = ("zh_CN", "en")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def switcher(qapp: QApplication) -> Iterator[LanguageSwitcher]:
    s = LanguageSwitcher()
    yield s
    s.release()


def stale(folder: Path, switcher: LanguageSwitcher) -> list[str]:
    """Each phrase file whose words or bytes are not what the manifest says, with why."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = [f"{language}: in the manifest, no such language" for language in set(manifest) - set(LANGUAGES)]
    for language in LANGUAGES:
        switcher.apply(language)
        entries = manifest.get(language, {})
        problems += [f"{language}/{name}.wav: in the manifest, no such phrase"
                     for name in set(entries) - {p.value for p in Phrase}]
        for phrase in Phrase:
            text, entry = texts.tr(texts.SPOKEN[phrase.value]), entries.get(phrase.value, {})
            wav = folder / language / f"{phrase.value}.wav"
            if entry.get("text_sha256") != _sha(text.encode()):
                problems.append(f"{wav.name} ({language}) says {entry.get('text')!r}, the text is now {text!r}")
            elif not wav.is_file() or entry.get("wav_sha256") != _sha(wav.read_bytes()):
                problems.append(f"{language}/{wav.name} is not the file rendered from {text!r}")
    return problems


def test_the_phrase_files_say_the_current_texts(switcher: LanguageSwitcher) -> None:
    problems = stale(SPEECH, switcher)
    assert not problems, "\n".join(problems) + "\nrender them again: .venv/bin/python resources/speech/render.py"


def test_a_changed_phrase_text_is_caught(switcher: LanguageSwitcher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(texts.SPOKEN, "yellow", texts.N("Yellow code, please go home"))
    problems = stale(SPEECH, switcher)
    assert len(problems) == 2 and all("yellow.wav" in p for p in problems), problems  # both languages
    assert "'Yellow code, please go home'" in problems[1]


def test_a_file_replaced_by_hand_is_caught(switcher: LanguageSwitcher, tmp_path: Path) -> None:
    folder = tmp_path / "speech"
    shutil.copytree(SPEECH, folder, ignore=shutil.ignore_patterns("*.py"))
    shutil.copyfile(folder / "en" / "red.wav", folder / "en" / "pass.wav")  # real speech, the wrong words
    assert stale(folder, switcher) == ["en/pass.wav is not the file rendered from "
                                       "'Green code, temperature normal, please go in'"]
