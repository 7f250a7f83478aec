"""A queue screen unplugged, plugged back, or switched on after the start, under a real
X server and window manager (Xvfb + openbox; the two screens are RandR monitors on one
framebuffer, which `xrandr --setmonitor/--delmonitor` add and remove while the app runs,
as a graphics card does when a cable is pulled). The guard's window must stay full
screen, on top and focused throughout; the visitor display must never sit on the
guard's screen, and must come back on the queue's screen when there is one again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core import settings as st
from tests.support.x11 import X11, X11_TOOLS, AppProcess

pytestmark = [X11_TOOLS, pytest.mark.needs_programs("xrandr"), pytest.mark.timeout(180)]
GUARD = "1280/300x800/200+0+0"
QUEUE = "1280/300x800/200+1280+0"


class TwoScreens:
    def __init__(self, tmp_path: Path, *, queue_at_start: bool) -> None:
        self.x = X11(("2560x800x24",))
        self.x.run("xrandr", "--setmonitor", "guard", GUARD, "screen", check=True)
        if queue_at_start:
            self.plug()
        config = tmp_path / "settings.json"
        st.save(config, st.Settings(camera="none", admin_pin=st.hash_pin("2468"), language="en", sound_volume=0,
                                    speech_volume=0))
        env = {**self.x.env, "CHECKPOINT_LOG_DIR": str(tmp_path)}
        self.app = AppProcess(["-m", "checkpoint_app", "--kiosk", "--config", str(config),
                               "--data-dir", str(tmp_path / "data")], env)
        self.x.window_of(self.app.proc.pid)  # started
        self.guard_window = self.x.run("xdotool", "search", "--sync", "--onlyvisible", "--name",
                                       "Health-code checkpoint", timeout=60).split()[0]

    def plug(self) -> None:
        self.x.run("xrandr", "--setmonitor", "queue", QUEUE, "none", check=True)

    def unplug(self) -> None:
        self.x.run("xrandr", "--delmonitor", "queue", check=True)

    def visitor(self) -> str | None:
        """The app's other mapped window: the visitor display, when it is shown."""
        found = self.x.run("xdotool", "search", "--onlyvisible", "--pid", str(self.app.proc.pid)).split()
        others = [w for w in found if w != self.guard_window]
        return others[0] if others else None

    def guard_problems(self) -> list[str]:
        x, w = self.x, self.guard_window
        problems = []
        if x.geometry(w) != (0, 0, 1280, 800):
            problems.append(f"guard geometry {x.geometry(w)}")
        if x.active() != w:
            problems.append("guard not focused")
        visitor = self.visitor()
        if visitor is not None and x.geometry(visitor)[0] < 1280:
            problems.append(f"visitor display on the guard's screen at {x.geometry(visitor)}")
        return problems

    def wait(self, condition: object, timeout: float = 10) -> None:
        end = time.monotonic() + timeout
        while not condition() and time.monotonic() < end:  # type: ignore[operator]
            time.sleep(0.1)

    def close(self) -> None:
        self.app.stop()
        self.x.close()


@pytest.fixture
def two(tmp_path: Path) -> Iterator[TwoScreens]:
    screens = TwoScreens(tmp_path, queue_at_start=True)
    yield screens
    screens.close()


def test_the_queue_screen_unplugged_and_plugged_back(two: TwoScreens) -> None:
    two.wait(lambda: two.visitor() is not None, 30)
    visitor = two.visitor()
    assert visitor is not None and two.x.geometry(visitor) == (1280, 0, 1280, 800)
    two.unplug()
    time.sleep(2)
    assert two.guard_problems() == []
    assert two.visitor() is None  # parked: not on (or under) the guard's screen
    two.plug()
    two.wait(lambda: two.visitor() is not None)
    visitor = two.visitor()
    assert visitor is not None and two.x.geometry(visitor) == (1280, 0, 1280, 800)
    time.sleep(1)
    assert two.guard_problems() == []
    assert two.app.proc.poll() is None


def test_a_queue_screen_switched_on_after_the_start(tmp_path: Path) -> None:
    one = TwoScreens(tmp_path, queue_at_start=False)
    try:
        time.sleep(2)
        assert one.visitor() is None
        one.plug()
        one.wait(lambda: one.visitor() is not None)
        visitor = one.visitor()
        assert visitor is not None and one.x.geometry(visitor) == (1280, 0, 1280, 800)
        time.sleep(1)
        assert one.guard_problems() == []
    finally:
        one.close()


def test_the_visitor_display_destroyed_from_outside_restarts_the_app(two: TwoScreens) -> None:
    """`xdotool windowclose` on the queue's window: nothing left to bring back, and its
    guard logged "bringing it back" every 400 ms for ever while the queue saw black."""
    two.wait(lambda: two.visitor() is not None, 30)
    visitor = two.visitor()
    assert visitor is not None
    two.x.xdotool("windowclose", visitor)
    assert two.app.proc.wait(15) not in (0, None)  # 0 would keep the supervisor from restarting it
    assert "destroyed from outside" in two.app.output()
