"""The guard's guide's screens in a real X window under Xvfb: every screen saved as PNG, in
both languages, as at a real site (the shipped timeouts, a platform, a working audio
output: a PulseAudio null sink).

Skips cleanly when Xvfb or pulseaudio is absent. The driver runs in its own process because
this pytest process already has an offscreen QApplication."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.gui.style import VISITOR_BLUE
from tests.support.audio import pulse_null_sink
from tests.support.demo_driver import WANTED
from tests.support.programs import needs_programs
from tests.support.x11 import start_xvfb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    needs_programs("Xvfb")
    proc, display = start_xvfb(["-screen", "0", "1920x1080x24"])
    yield display
    proc.terminate()
    proc.wait(timeout=10)


# The background each outcome's screenshot must show (gui/style.py), read at the top-left corner.
BACKGROUNDS = {"pass": Outcome.PASS, "yellow": Outcome.YELLOW, "red_hospital": Outcome.RED_HOSPITAL,
               "red_turn_back": Outcome.RED_TURN_BACK, "fever": Outcome.FEVER, "invalid-expired": Outcome.INVALID,
               "invalid-bad_signature": Outcome.INVALID, "cannot_verify": Outcome.CANNOT_VERIFY,
               "manual": Outcome.MANUAL, "not_a_code": Outcome.NOT_A_CODE, "yellow-next-ready": Outcome.YELLOW,
               "lookup-not-found": Outcome.INVALID, "refused": Outcome.REFUSED}


def _share(image: Any, colour: str) -> float:
    rgb = image.convert("RGB")
    want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    points = [(x, y) for x in range(0, rgb.width, 9) for y in range(0, rgb.height, 9)]
    return sum(max(abs(a - b) for a, b in zip(rgb.getpixel(p), want, strict=True)) < 12 for p in points) / len(points)


def test_demo_screens_at_three_sizes_in_both_languages(xvfb_display: str, tmp_path: Path) -> None:
    from PIL import Image

    from checkpoint_app.gui.style import LOOKS

    screens = tmp_path / "screens"  # not the checkout: a test leaves the working tree as it was
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb", "CHECKPOINT_CACHE_DIR": str(tmp_path)}
    env.pop("QT_LOGGING_RULES", None)
    env["PYTHONPATH"] = str(ROOT)  # the driver imports tests.support
    with pulse_null_sink(tmp_path / "pulse") as audio:  # no red "sound off" chip in the pictures
        run = subprocess.run([sys.executable, "-m", "tests.support.demo_driver", str(screens)],
                             env={**env, **audio}, capture_output=True, text=True, timeout=280, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    for name in WANTED:
        for lang in ("zh", "en"):
            path = screens / f"{name}-{lang}.png"
            assert 3000 < path.stat().st_size < 120_000, path  # real pictures, kept small
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" in name  # the window as big as asked
                screen = name.rsplit("-", 1)[0]
                if screen in BACKGROUNDS:
                    r, g, b = image.convert("RGB").getpixel((4, 4))
                    want = LOOKS[BACKGROUNDS[screen]].background
                    assert max(abs(r - int(want[1:3], 16)), abs(g - int(want[3:5], 16)),
                               abs(b - int(want[5:7], 16))) < 12, (path, (r, g, b), want)
                if screen == "scan-scanner-only":  # a prompt where the camera picture would be, not black
                    assert _share(image, "#000000") < 0.02 and _share(image, VISITOR_BLUE) > 0.3, path
