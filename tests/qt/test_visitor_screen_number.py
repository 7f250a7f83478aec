"""Issue 10 item 10: the `visitor_screen` setting as an explicit screen number. Three
offscreen screens (Qt's offscreen platform with a screen description file, in a process of
its own: the screens are fixed when the QApplication starts), the guard's window on the
first: "3" puts the visitor display full screen on the third of Qt's screens (where "auto"
would take the second), and "1", the guard's own screen, gives no visitor window rather than cover the
guard's window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[2]
SCREENS = [("guard", 0, 1280, 800), ("side", 1280, 1024, 768), ("queue", 2304, 1920, 1080)]


def _drive(tmp_path: Path, visitor_screen: str) -> list[dict[str, object]]:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"screens": [
        {"name": name, "x": x, "y": 0, "width": w, "height": h, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
        for name, x, w, h in SCREENS]}), encoding="utf-8")
    settings = tmp_path / "settings.json"
    st.save(settings, st.Settings(camera="none", visitor_screen=visitor_screen, sound_volume=0, speech_volume=0))
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "CHECKPOINT_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run([sys.executable, "-m", "tests.support.visitor_driver", str(settings), str(tmp_path / "data")],
                          env={**_base_env(), **env}, cwd=ROOT, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("QT_LOGGING_RULES", "DISPLAY", "WAYLAND_DISPLAY")}


def test_a_screen_number_puts_the_visitor_display_on_that_screen(tmp_path: Path) -> None:
    steps = _drive(tmp_path, "3")
    assert len(steps) == 8  # four steps, in two languages
    for s in steps:
        assert s["screens"] == 3 and s["guard_screen"] == 0 and s["focus"], s
        assert s["visitor_screen"] == 2 and s["visitor_full"], s  # the third screen, not the second
        assert s["visitor_geometry"] == s["screen_geometry"]  # all of it (Qt numbers the screens its own way)
        assert s["screen_geometry"] in [[x, 0, w, h] for _, x, w, h in SCREENS[1:]]
        assert s["cue"] and s["visitor_texts"]


def test_the_guards_own_screen_number_gives_no_visitor_window(tmp_path: Path) -> None:
    steps = _drive(tmp_path, "1")
    assert steps and all(s["screens"] == 3 and "visitor_screen" not in s for s in steps)
