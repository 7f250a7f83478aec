"""The demo in a real X window under Xvfb: every screen saved as PNG, in both languages.

Skips cleanly when Xvfb is absent. The driver runs in its own process because this
pytest process already has an offscreen QApplication."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "artifacts" / "screens"


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as r:
        number = r.readline().strip()  # Xvfb writes the display number once it accepts clients
    if not number:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


def test_demo_screens_in_both_languages(xvfb_display: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb", "CHECKPOINT_CACHE_DIR": str(tmp_path)}
    env.pop("QT_LOGGING_RULES", None)
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("demo_driver.py")), str(SCREENS)],
                         env=env, capture_output=True, text=True, timeout=150, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    for name in ("pass", "yellow", "red_hospital", "red_turn_back", "fever", "invalid-bad_signature",
                 "invalid-expired", "cannot_verify", "prompt", "manual"):
        for lang in ("zh", "en"):
            assert (SCREENS / f"{name}-{lang}.png").stat().st_size > 5000
