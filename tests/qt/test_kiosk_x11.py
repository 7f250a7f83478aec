"""Kiosk mode against a real X server and window manager (Xvfb + openbox), with real key
presses from xdotool: the window manager's own Alt+F4 becomes a close request that the
kiosk refuses, and the window really fills the screen. Skipped where the tools are absent
(.ci/programs.txt)."""

from __future__ import annotations

import pytest

from tests.support.x11 import X11, X11_TOOLS, AppProcess

pytestmark = X11_TOOLS

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


def test_real_alt_f4_and_keys_under_a_window_manager(x11: X11) -> None:
    app = AppProcess(["-c", APP], x11.env)
    try:
        window = app.wait_line("ready ").split()[1]
        x11.xdotool("windowfocus", "--sync", window)
        x11.xdotool("key", "alt+F4")  # openbox binds A-F4 to Close: a real WM_DELETE_WINDOW
        assert app.wait_line("refused", timeout=10) == "refused close"
        for key, name in (("Escape", "Esc"), ("ctrl+q", "Ctrl+Q"), ("ctrl+w", "Ctrl+W")):
            x11.xdotool("key", key)
            assert app.wait_line("refused", timeout=10) == f"refused {name}"
        x11.xdotool("key", "F2")
        assert app.wait_line("state", timeout=10) == "state True True 1280 800"  # still there, filling the screen
        x11.xdotool("key", "ctrl+shift+x")  # the PIN check says yes here
        assert app.proc.wait(10) == 0
    finally:
        app.stop()


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
    app = AppProcess(["-c", WEDGE_APP] + (["--stall"] if stall else []), x11.env)
    payload = "JKM1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B"
    try:
        window = app.wait_line("ready ").split()[1]
        x11.xdotool("windowfocus", "--sync", window)
        x11.xdotool("type", "--delay", "150", "36.5\r")  # a guard on the keypad
        assert app.wait_line("typed", timeout=10) == "typed 36.5"
        for suffix in ("\r", "\n"):  # a scanner, 3 ms a key, ending with Return or with Linefeed
            x11.xdotool("type", "--delay", "3", payload + suffix)
            assert app.wait_line("scanned", timeout=10) == f"scanned {payload}"
        x11.xdotool("type", "--delay", "150", "37\r")
        assert app.wait_line("typed", timeout=10) == "typed 37"  # nothing of the scans leaked into the field
    finally:
        app.stop()
