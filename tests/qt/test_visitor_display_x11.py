"""Issue 10 item 10 under Xvfb with two X screens (Qt sees two QScreens): the visitor display
opens full screen on the second, says only what the visitor must do, huge, and never takes
the guard's focus; the guard's screen keeps the name, the ID and the reasons. With one
screen there is no second window (the combined layout stays). The two-screen test also
makes the guard's guide's pictures (docs/images/two-screens-*), with the sound on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from checkpoint_app.core.outcomes import VisitorCue
from checkpoint_app.gui.visitor_window import CUE_LOOKS
from tests.support.audio import pulse_null_sink
from tests.support.x11 import X11, X11_TOOLS

pytestmark = [X11_TOOLS, pytest.mark.timeout(180)]
ROOT = Path(__file__).resolve().parents[2]
CUES = {
    "scan": ("请出示健康码", "Please show your health code"),
    "prompt": ("请测体温", "Please take your temperature"),
    "pass": ("请通行", "Please go in"),
    "red": ("请勿进入，在此等候", "No entry: please wait here"),
}
CUE_OF_STEP = {"scan": VisitorCue.SHOW_CODE, "prompt": VisitorCue.TAKE_TEMPERATURE, "pass": VisitorCue.GO_IN,
               "red": VisitorCue.WAIT_HERE}


def _drive(screens: tuple[str, ...], tmp_path: Path, visitor_screen: str = "auto", *,
           out: Path | None = None, audio: dict[str, str] | None = None) -> list[dict[str, object]]:
    """`out`: save the guide's two-screen pictures there; `audio`: a PulseAudio server's
    environment, so the window has its sound on as at a site (else it runs muted)."""
    x11 = X11(screens)
    try:
        config = tmp_path / "settings.json"
        volumes = {} if audio else {"sound_volume": 0, "speech_volume": 0}
        st.save(config, st.Settings(camera="none", visitor_screen=visitor_screen, **volumes))  # type: ignore[arg-type]
        driver = [sys.executable, "-m", "tests.support.visitor_driver", str(config), str(tmp_path / "data")]
        done = subprocess.run([*driver, *([str(out)] if out else [])],
                              env={**x11.env, **(audio or {}), "CHECKPOINT_LOG_DIR": str(tmp_path / "log")}, cwd=ROOT,
                              capture_output=True, text=True, timeout=150)
    finally:
        x11.close()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _pictures_show_both_screens(out: Path) -> None:
    """The guide's pictures (docs/images/two-screens-*): both screens side by side at half
    size, the queue's in its cue's colour, in both languages."""
    from PIL import Image

    for step, cue in CUE_OF_STEP.items():
        for lang in ("zh", "en"):
            with Image.open(out / f"two-screens-{step}-{lang}.png") as image:
                assert (image.width, image.height) == (1280 + 8, 400), image.size
                r, g, b = image.convert("RGB").getpixel((640 + 8 + 20, 20))  # the queue's screen, top left
                want = CUE_LOOKS[cue][0]
                assert max(abs(r - int(want[1:3], 16)), abs(g - int(want[3:5], 16)),
                           abs(b - int(want[5:7], 16))) < 12, (step, lang, (r, g, b), want)


def test_two_screens_the_queue_sees_only_what_to_do(tmp_path: Path) -> None:
    with pulse_null_sink(tmp_path / "pulse") as audio:
        steps = _drive(("1280x800x24", "1280x800x24"), tmp_path, out=tmp_path / "pictures", audio=audio)
    _pictures_show_both_screens(tmp_path / "pictures")
    assert len(steps) == 2 * len(CUES)
    for s in steps:
        zh, en = CUES[str(s["step"])]
        assert s["screens"] == 2 and s["guard_screen"] == 0 and s["visitor_screen"] == 1
        assert s["visitor_full"] and s["visitor_geometry"] == s["screen_geometry"] == [0, 0, 1280, 800]
        assert s["focus"], s  # the guard's keyboard stays on the guard's window
        texts = s["visitor_texts"]
        assert texts == ([zh, en] if s["language"] == "zh_CN" else [en]), texts
        assert int(s["visitor_font_px"]) >= 800 // 8  # huge: readable from the back of the queue
        guard = "\n".join(map(str, s["guard_texts"]))
        shown = "\n".join(map(str, texts))
        if s["step"] in ("prompt", "pass", "red"):
            person = next(line for line in s["guard_texts"] if "*" in str(line))  # the masked name and ID
            for part in str(person).split():
                assert part not in shown, part  # no name, no ID on the queue's screen
        if s["step"] == "red":
            reason = "确诊病人" if s["language"] == "zh_CN" else "Confirmed case"  # red code 101
            assert reason in guard and reason not in shown  # reasons: on the guard's side only


def test_one_screen_has_no_visitor_window(tmp_path: Path) -> None:
    steps = _drive(("1280x800x24",), tmp_path)
    assert steps and all("visitor_screen" not in s and s["screens"] == 1 for s in steps)


def test_the_setting_turns_it_off(tmp_path: Path) -> None:
    steps = _drive(("1280x800x24", "1280x800x24"), tmp_path, visitor_screen="none")
    assert steps and all("visitor_screen" not in s for s in steps)
