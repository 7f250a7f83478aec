"""Kiosk mode against a real X server and window manager (Xvfb + openbox), with real key
presses from xdotool: the window manager's own Alt+F4 becomes a close request that the
kiosk refuses, and the window really fills the screen. Skipped where the tools are absent
(apt-get install xvfb openbox xdotool)."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

TOOLS = ("Xvfb", "openbox", "xdotool")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS), reason="needs Xvfb, openbox, xdotool")

APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow
from checkpoint_app.gui.kiosk import KioskController
app = QApplication(sys.argv)
w = QMainWindow()
w.setWindowTitle("kiosk-under-test")
w.setCentralWidget(QLineEdit())
k = KioskController(w, lambda: True)
k.escape_attempted.connect(lambda name: print("refused", name, flush=True))
QShortcut(QKeySequence("Ctrl+Shift+X"), w, k.request_exit)
QShortcut(QKeySequence("F2"), w, lambda: print("state", w.isFullScreen(), w.isVisible(), w.width(), w.height(),
                                               flush=True))
k.enable()
QTimer.singleShot(500, lambda: print("ready", int(w.winId()), flush=True))
sys.exit(app.exec())
"""


class X11:
    def __init__(self) -> None:
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten",
                                      "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            display = f.readline().strip()
        self.env = {**os.environ, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.wm = subprocess.Popen(["openbox"], env=self.env, stderr=subprocess.DEVNULL)

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=10)

    def close(self) -> None:
        for p in (self.wm, self.xvfb):
            p.terminate()
            p.wait(10)


@pytest.fixture
def x11() -> Iterator[X11]:
    server = X11()
    yield server
    server.close()


def test_real_alt_f4_and_keys_under_a_window_manager(x11: X11) -> None:
    app = subprocess.Popen([sys.executable, "-c", APP], env=x11.env, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert app.stdout is not None
    threading.Thread(target=lambda: [lines.put(line.strip()) for line in app.stdout], daemon=True).start()
    try:
        ready = lines.get(timeout=30)
        assert ready.startswith("ready "), ready
        window = ready.split()[1]
        x11.xdotool("windowfocus", "--sync", window)
        x11.xdotool("key", "alt+F4")  # openbox binds A-F4 to Close: a real WM_DELETE_WINDOW
        assert lines.get(timeout=10) == "refused close"
        for key, name in (("Escape", "Esc"), ("ctrl+q", "Ctrl+Q"), ("ctrl+w", "Ctrl+W")):
            x11.xdotool("key", key)
            assert lines.get(timeout=10) == f"refused {name}"
        x11.xdotool("key", "F2")
        assert lines.get(timeout=10) == "state True True 1280 800"  # still there, filling the screen
        x11.xdotool("key", "ctrl+shift+x")  # the PIN check says yes here
        assert app.wait(10) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


WEDGE_APP = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from checkpoint_app.gui.wedge_filter import WedgeFilter
app = QApplication(sys.argv)
if "--stall" in sys.argv:  # a GUI thread that stops for 120 ms out of every 150 (heavy repaints)
    busy = QTimer(interval=150, timeout=lambda: time.sleep(0.12))
    busy.start()
field = QLineEdit()
field.setWindowTitle("temperature")
wedge = WedgeFilter()
app.installEventFilter(wedge)
wedge.scanned.connect(lambda text: print("scanned", text, flush=True))
field.returnPressed.connect(lambda: (print("typed", field.text(), flush=True), field.clear()))
field.show()
QTimer.singleShot(500, lambda: print("ready", int(field.winId()), flush=True))
sys.exit(app.exec())
"""


@pytest.mark.parametrize("stall", [False, True])
def test_real_keyboard_bursts_and_typing(x11: X11, stall: bool) -> None:
    """xdotool types through the X server like a USB keyboard, Shift for capitals included;
    with `stall` the GUI thread keeps stopping in the middle of bursts."""
    args = [sys.executable, "-c", WEDGE_APP] + (["--stall"] if stall else [])
    app = subprocess.Popen(args, env=x11.env, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert app.stdout is not None
    threading.Thread(target=lambda: [lines.put(line.strip()) for line in app.stdout], daemon=True).start()
    payload = "JKM1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B"
    try:
        window = lines.get(timeout=30).split()[1]
        x11.xdotool("windowfocus", "--sync", window)
        x11.xdotool("type", "--delay", "150", "36.5\r")  # a guard on the keypad
        assert lines.get(timeout=10) == "typed 36.5"
        for suffix in ("\r", "\n"):  # a scanner, 3 ms a key, ending with Return or with Linefeed
            x11.xdotool("type", "--delay", "3", payload + suffix)
            assert lines.get(timeout=10) == f"scanned {payload}"
        x11.xdotool("type", "--delay", "150", "37\r")
        assert lines.get(timeout=10) == "typed 37"  # nothing of the scans leaked into the field
    finally:
        app.kill()
        app.wait()
