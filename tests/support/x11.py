"""A real X server (Xvfb) with a real window manager (openbox) for the kiosk tests, and
what xdotool / xprop / xwininfo say about a window. `pytestmark = X11_TOOLS`: skipped
where the tools are absent, failed in CI (tests/support/programs.py)."""

from __future__ import annotations

import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

X11_TOOLS = pytest.mark.needs_programs("Xvfb", "openbox", "xdotool", "xprop", "xwininfo")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, even by SIGKILL or a
    timeout, so that no X server or window manager outlives an interrupted run."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


START_S = 60.0  # seconds for Xvfb or openbox to be ready: instant when idle, over 30 at load 15
ATTEMPTS = 3  # starts of Xvfb, and of openbox, before giving up


def start_xvfb(args: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb with `args` (screens, extensions) and the display it serves, e.g. ":5".

    Xvfb picks a free display number itself and writes it once it accepts clients
    (-displayfd). It may still fail: another X server, a test's or not, took the number
    between its check and its bind. Then it exits and is started again."""
    failures = []
    for _ in range(ATTEMPTS):
        read, write = os.pipe()
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", *args], pass_fds=(write,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        os.close(write)
        with os.fdopen(read) as f:
            ready, _, _ = select.select([f], [], [], START_S)
            number = f.readline().strip() if ready else ""  # "" also when it exited: the pipe closed
        if number.isdigit():
            return proc, f":{number}"
        proc.terminate()
        failures.append(f"exit status {proc.wait(10)}" if ready else f"no display within {START_S:g} s")
    raise RuntimeError("Xvfb did not start: " + "; ".join(failures))


class X11:
    """`screens`: Xvfb -screen arguments, one per X screen (e.g. ["1280x800x24"])."""

    def __init__(self, screens: tuple[str, ...] = ("1280x800x24",), *, wm_config: Path | None = None,
                 xinerama: bool = False) -> None:
        args = [arg for i, geometry in enumerate(screens) for arg in ("-screen", str(i), geometry)]
        self.xvfb, display = start_xvfb([*args, "+xinerama"] if xinerama else args)
        self.env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        for name in ("WAYLAND_DISPLAY", "QT_LOGGING_RULES"):
            self.env.pop(name, None)
        self._wm_args = ["openbox"] + (["--config-file", str(wm_config)] if wm_config else [])
        self.wm: subprocess.Popen[bytes] | None = None
        try:
            self._start_wm()
        except BaseException:  # no fixture teardown follows a failed set-up: end both processes here
            self.close()
            raise

    def _start_wm(self) -> None:
        """openbox, started again if it exits before it has claimed the screen."""
        for _ in range(ATTEMPTS):
            self.wm = subprocess.Popen(self._wm_args, env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            if self._wm_ready_or_gone(self.wm):
                return
            self.wm.wait(10)
        raise RuntimeError(f"openbox did not start (it exited {ATTEMPTS} times)")

    def _wm_ready_or_gone(self, wm: subprocess.Popen[bytes]) -> bool:
        """True once openbox has claimed the screen and published its desktops (it sets them
        last), False if it exited first."""
        end = time.monotonic() + START_S
        while wm.poll() is None:
            if self._wm_published():
                return True
            if time.monotonic() > end:
                raise RuntimeError(f"openbox did not claim the screen within {START_S:g} s")
            time.sleep(0.05)
        return False

    def _wm_published(self) -> bool:
        try:
            said = self.run("xprop", "-root", "_NET_NUMBER_OF_DESKTOPS", "_NET_SUPPORTING_WM_CHECK")
        except subprocess.TimeoutExpired:  # xprop itself starved on a loaded machine: ask again
            return False
        return "_NET_NUMBER_OF_DESKTOPS(CARDINAL) =" in said and "_NET_SUPPORTING_WM_CHECK(WINDOW)" in said

    def run(self, *args: str, check: bool = False, timeout: float = 10) -> str:
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=timeout, check=check)
        return done.stdout

    def window_of(self, pid: int) -> str:
        """The visible window of process `pid`, once it has one (a loaded machine starts Qt slowly)."""
        return self.run("xdotool", "search", "--sync", "--onlyvisible", "--pid", str(pid), timeout=90).split()[0]

    def xdotool(self, *args: str) -> str:
        return self.run("xdotool", *args, check=True)

    def close(self) -> None:
        for p in (self.wm, self.xvfb):
            if p is not None:
                p.terminate()
                p.wait(10)

    # -- what the X server says about a window -------------------------------------------
    def mapped(self, window: str) -> bool:
        return "IsViewable" in self.run("xwininfo", "-id", window)

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """The window's outer frame in root coordinates: x, y, width, height."""
        info = self.run("xwininfo", "-id", window)
        x, y = (int(re.search(rf"Absolute upper-left {a}:\s+(-?\d+)", info).group(1)) for a in "XY")  # type: ignore[union-attr]
        w, h = (int(re.search(rf"{a}:\s+(\d+)", info).group(1)) for a in ("Width", "Height"))  # type: ignore[union-attr]
        extents = self.run("xprop", "-id", window, "_NET_FRAME_EXTENTS")
        left, right, top, bottom = (map(int, re.findall(r"\d+", extents.split("=", 1)[1]))
                                    if "=" in extents else (0, 0, 0, 0))
        return x - left, y - top, w + left + right, h + top + bottom

    def net_state(self, window: str) -> str:
        return self.run("xprop", "-id", window, "_NET_WM_STATE")

    def active(self) -> str:
        return self.run("xdotool", "getactivewindow").strip()

    def top_of_stack(self) -> str:
        ids = re.findall(r"0x[0-9a-f]+", self.run("xprop", "-root", "_NET_CLIENT_LIST_STACKING"))
        return str(int(ids[-1], 16)) if ids else ""


class AppProcess:
    """A Python process whose stdout lines are read on a thread."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, preexec_fn=_die_with_parent)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.seen.append(line.rstrip())
            self.lines.put(line.strip())

    def wait_line(self, prefix: str, timeout: float = 30) -> str:
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no line starting {prefix!r}; output:\n" + "\n".join(self.seen[-30:]))

    def output(self) -> str:
        """Everything it printed, once it has ended."""
        self._reader.join(10)
        return "\n".join(self.seen)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)  # the pipe's end: then it can close
        assert self.proc.stdout is not None
        self.proc.stdout.close()
