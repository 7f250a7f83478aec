"""A real X server (Xvfb) with a real window manager (openbox) for the kiosk tests, and
what xdotool / xprop / xwininfo say about a window. `pytestmark = X11_TOOLS`: skipped
where the tools are absent, failed in CI (tests/support/programs.py)."""

from __future__ import annotations

import os
import queue
import re
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


class X11:
    """`screens`: Xvfb -screen arguments, one per X screen (e.g. ["1280x800x24"])."""

    def __init__(self, screens: tuple[str, ...] = ("1280x800x24",), *, wm_config: Path | None = None,
                 xinerama: bool = False) -> None:
        read, write = os.pipe()
        args = ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp"]
        for i, geometry in enumerate(screens):
            args += ["-screen", str(i), geometry]
        if xinerama:
            args.append("+xinerama")
        self.xvfb = subprocess.Popen(args, pass_fds=(write,), stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        os.close(write)
        with os.fdopen(read) as f:
            display = f.readline().strip()
        self.env = {**os.environ, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
        for name in ("WAYLAND_DISPLAY", "QT_LOGGING_RULES"):
            self.env.pop(name, None)
        wm = ["openbox"] + (["--config-file", str(wm_config)] if wm_config else [])
        self.wm = subprocess.Popen(wm, env=self.env, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        try:
            self.wait_for_wm()
        except BaseException:  # no fixture teardown follows a failed set-up: end both processes here
            self.close()
            raise

    def wait_for_wm(self) -> None:
        end = time.monotonic() + 60  # seconds on an idle machine; a loaded one (load 15) took over 30
        # Ready when it has claimed the screen and published its desktops (it sets them last).
        while "CARDINAL) =" not in self.run("xprop", "-root", "_NET_NUMBER_OF_DESKTOPS", "_NET_SUPPORTING_WM_CHECK") \
                or "_NET_SUPPORTING_WM_CHECK(WINDOW)" not in self.run("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"):
            if time.monotonic() > end:
                raise RuntimeError("openbox did not start")
            time.sleep(0.05)

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
