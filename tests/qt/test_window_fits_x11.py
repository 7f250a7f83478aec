"""Issue 10 defect 5 under a real X server and window manager (Xvfb + openbox): the window
opens maximised inside the screen, title bar and status bar included, at 1024x768 and
1280x800 (it used to open at 1280x800 plus its title bar, whatever the screen)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from tests.support.x11 import X11, X11_TOOLS, AppProcess

pytestmark = [X11_TOOLS, pytest.mark.timeout(120)]


@pytest.mark.parametrize("screen", [(1024, 768), (1280, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_window_opens_maximised_inside_the_screen(tmp_path: Path, screen: tuple[int, int]) -> None:
    x11 = X11((f"{screen[0]}x{screen[1]}x24",))
    config = tmp_path / "settings.json"
    st.save(config, st.Settings(camera="none"))
    app = AppProcess(["-m", "checkpoint_app", "--config", str(config), "--data-dir", str(tmp_path / "data")],
                     {**x11.env, "CHECKPOINT_LOG_DIR": str(tmp_path / "log")})
    try:
        window = x11.window_of(app.proc.pid)
        end = time.monotonic() + 10
        while "MAXIMIZED_VERT" not in x11.net_state(window) and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.3)  # the last configure after maximising
        assert "_NET_WM_STATE_MAXIMIZED_VERT" in x11.net_state(window)
        x, y, w, h = x11.geometry(window)  # the frame: title bar and borders included
        assert x >= 0 and y >= 0 and x + w <= screen[0] and y + h <= screen[1], (x, y, w, h)
        assert w >= screen[0] - 10 and h >= screen[1] - 10  # and it uses the screen
    finally:
        app.stop()
        x11.close()
