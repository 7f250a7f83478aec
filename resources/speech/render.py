"""Render the spoken results (core.outcomes.Phrase) to resources/speech/<language>/<phrase>.wav.

Run at build time, when a phrase or its translation changes; the WAVs are shipped, so the
checkpoint needs no speech engine. The words come from gui/texts.py (SPOKEN) and, for
Chinese, from the compiled translation, exactly as the screen shows them.

Voices, all offline and from Debian (apt-get install espeak-ng flite sox):
- Mandarin: espeak-ng's `cmn` voice, slowed a little. The only Mandarin voice that installs
  from a package registry without fetching a model from elsewhere; formant speech,
  robotic but clear.
- English: flite's `slt` voice (CMU Arctic, statistical parametric), clearly more natural
  than espeak-ng's English formant voice.
Each file is converted to the outcome sounds' format (22050 Hz, mono, 16 bit, so the
player can join a tone and a phrase into one file), trimmed of silence at both ends and
normalised to -3 dBFS (sox -R: the dither's noise is seeded, so the same text renders to the
same file).

It also writes manifest.json: for each file, the text it says and the SHA-256 of that text
and of the file. tests/qt/test_speech_manifest.py fails when a phrase's text (or its
translation) changes, or a file is replaced, without rendering again.

Run: .venv/bin/python resources/speech/render.py"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from PySide6.QtCore import QCoreApplication  # noqa: E402

from checkpoint_app.core.outcomes import Phrase  # noqa: E402
from checkpoint_app.gui import texts  # noqa: E402
from checkpoint_app.gui.i18n import LanguageSwitcher  # noqa: E402

RATE = 22050
MANIFEST = HERE / "manifest.json"
ENGINES = {
    "zh_CN": lambda text, out: ["espeak-ng", "-v", "cmn", "-s", "145", "-w", str(out), text],
    "en": lambda text, out: ["flite", "-voice", "slt", "-t", text, "-o", str(out)],
}
TRIM_AND_NORMALISE = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
                      "gain", "-n", "-3"]


def render(language: str, phrase: Phrase, text: str, tmp: Path) -> Path:
    raw = tmp / f"{language}-{phrase}.wav"
    subprocess.run(ENGINES[language](text, raw), check=True, capture_output=True)
    out = HERE / language / f"{phrase.value}.wav"
    out.parent.mkdir(exist_ok=True)
    subprocess.run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *TRIM_AND_NORMALISE],
                   check=True, capture_output=True)
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def spoken_texts(switcher: LanguageSwitcher) -> dict[str, dict[str, str]]:
    """{language: {phrase: the words}}, as the screen shows them (needs a QCoreApplication)."""
    out: dict[str, dict[str, str]] = {}
    for language in ENGINES:
        switcher.apply(language)
        out[language] = {p.value: texts.tr(texts.SPOKEN[p.value]) for p in Phrase}
    return out


def write_manifest(spoken: dict[str, dict[str, str]]) -> None:
    entries = {language: {phrase: {"text": text, "text_sha256": sha256(text.encode()),
                                   "wav_sha256": sha256((HERE / language / f"{phrase}.wav").read_bytes())}
                          for phrase, text in phrases.items()}
               for language, phrases in spoken.items()}
    MANIFEST.write_text(json.dumps(entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    app = QCoreApplication([])
    switcher = LanguageSwitcher()
    spoken = spoken_texts(switcher)
    with tempfile.TemporaryDirectory() as tmp:
        for language, phrases in spoken.items():
            for phrase, text in phrases.items():
                print(f"{render(language, Phrase(phrase), text, Path(tmp)).relative_to(HERE)}: {text}")
    write_manifest(spoken)
    switcher.release()
    del app


if __name__ == "__main__":
    main()
