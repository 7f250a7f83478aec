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
normalised to -3 dBFS.

Run: .venv/bin/python resources/speech/render.py"""

from __future__ import annotations

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
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *TRIM_AND_NORMALISE],
                   check=True, capture_output=True)
    return out


def main() -> None:
    app = QCoreApplication([])
    switcher = LanguageSwitcher()
    with tempfile.TemporaryDirectory() as tmp:
        for language in ENGINES:
            switcher.apply(language)
            for phrase in Phrase:
                text = texts.tr(texts.SPOKEN[phrase.value])
                print(f"{render(language, phrase, text, Path(tmp)).relative_to(HERE)}: {text}")
    switcher.release()
    del app


if __name__ == "__main__":
    main()
