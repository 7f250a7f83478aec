"""Drives `--demo` in a real X window (run under Xvfb by test_demo_screens.py) and saves a
PNG of every screen a guard meets, in Chinese and in English, to artifacts/screens/.

It plays a guard: types temperatures (one out of range, one fever), marks no mask then
mask on, dismisses staff screens; the camera is a short demo video of phone screens."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.gui.demo_video import demo_folders, make_demo_video

OUT = Path(sys.argv[1])
WANTED = ("scan", "prompt", "prompt-measure-again", "prompt-wear-mask", "pass", "yellow", "red_hospital",
          "red_turn_back", "fever", "invalid-expired", "invalid-bad_signature", "cannot_verify", "manual",
          "red_turn_back-1024x768", "red_turn_back-1920x1080", "pass-1024x768")



def wait(ms: int) -> None:
    """Run the event loop for `ms`. Not QTest.qWait: in PySide6 it keeps the GIL while it
    sleeps, which starves the camera and decode threads (20 instead of 30 fps)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

class Guard:
    def __init__(self, app: CheckpointApp) -> None:
        self.app, self.w = app, app.window
        self.saved: set[str] = set()
        self.greens = 0
        self.last_key: object = None

    def grab(self, name: str) -> None:
        QApplication.processEvents()
        for lang in ("zh", "en"):
            if lang == "en":
                self.app.set_language("en")
                QApplication.processEvents()
            screen = self.w.screen()
            screen.grabWindow(self.w.winId()).save(str(OUT / f"{name}-{lang}.png"))
        self.app.set_language("zh_CN")
        self.saved.add(name)

    def at_size(self, name: str, w: int, h: int) -> None:
        old = self.w.size()
        self.w.resize(w, h)
        QApplication.processEvents()
        wait(100)  # the X server resizes asynchronously
        self.w.screen().grabWindow(self.w.winId()).save(str(OUT / f"{name}-{w}x{h}-zh.png"))
        self.saved.add(f"{name}-{w}x{h}")
        self.w.resize(old)
        wait(100)

    def step(self) -> None:
        st = self.app.machine.state
        key = (st.phase, st.decision, st.rejected_temperature)
        if key == self.last_key:
            return
        self.last_key = key
        if st.phase is Phase.SCANNING and "scan" not in self.saved and self.w.scan.preview.painted > 30:
            self.grab("scan")
        elif st.phase is Phase.PROMPT:
            self.prompt(st)
        elif st.phase is Phase.RESULT:
            self.result(st)

    def prompt(self, st: object) -> None:
        state = self.app.machine.state
        d, target = state.decision, self.w.prompt
        if d is not None and d.action == "wear_mask":
            self.grab("prompt-wear-mask")
            QTest.keyClick(target, Qt.Key.Key_K)
        elif state.rejected_temperature is not None:
            self.grab("prompt-measure-again")
            QTest.keyClick(target, Qt.Key.Key_M)
            QTest.keyClicks(target, "365")
            QTest.keyClick(target, Qt.Key.Key_Return)  # -> put on a mask
        elif self.greens == 0:  # the first green: the keypad, then an out-of-range reading
            self.greens += 1
            QTest.keyClicks(target, "365")  # typed, not entered, so the screenshot shows it
            self.grab("prompt")
            QTest.keyClick(target, Qt.Key.Key_Backspace)
            QTest.keyClick(target, Qt.Key.Key_Backspace)
            QTest.keyClicks(target, "2")
            QTest.keyClick(target, Qt.Key.Key_Return)  # 32 °C: out of range
        elif self.greens == 1:  # the second green (whitelist): a fever
            self.greens += 1
            QTest.keyClicks(target, "385")
            QTest.keyClick(target, Qt.Key.Key_Return)
        else:  # later greens: a plain pass in four keys
            QTest.keyClicks(target, "365")
            QTest.keyClick(target, Qt.Key.Key_Return)

    def result(self, st: object) -> None:
        s = self.app.machine.state
        outcome = s.outcome.value if s.outcome else "none"
        d = s.decision
        name = outcome if d is None or d.valid else f"{outcome}-{str(d.error).lower()}"
        if name not in self.saved:
            self.grab(name)
            if name in ("red_turn_back", "pass"):
                self.at_size(name, 1024, 768)
            if name == "red_turn_back":
                self.at_size(name, 1920, 1080)
        QTest.keyClick(self.w.result, Qt.Key.Key_Return)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    settings_path, data_dir = demo_folders()
    video = make_demo_video(data_dir.parent / "video-short", empty_s=1.0, shown_s=1.5)
    app = CheckpointApp(settings_path, data_dir, demo=True, camera=str(video.path))
    window = app.start()
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    guard = Guard(app)
    timer = QTimer(interval=40)
    timer.timeout.connect(guard.step)
    timer.start()
    deadline = time.monotonic() + float(os.environ.get("DEMO_DRIVER_TIMEOUT", "75"))
    wanted = set(WANTED) - {"cannot_verify", "manual"}
    while not wanted <= guard.saved and time.monotonic() < deadline:
        wait(50)
    timer.stop()
    app.controller.manual_entry("elderly", 36.4)
    wait(300)
    guard.result(None)
    app.shutdown()
    window.close()
    # "Cannot verify": a checkpoint that never synced, given a valid code.
    other = CheckpointApp(settings_path, data_dir.parent / "never-synced", camera="none")
    w2 = other.start()
    w2.setGeometry(0, 0, 1280, 800)
    w2.show()
    guard2 = Guard(other)
    from checkpoint_app.authority.demo import demo_codes

    wait(500)
    assert other.decoder is not None
    other.decoder.code_read.emit(demo_codes(int(time.time()))[0].text, time.monotonic())
    end = time.monotonic() + 5
    while other.machine.state.phase is not Phase.RESULT and time.monotonic() < end:
        wait(20)
    guard2.result(None)
    guard.saved |= guard2.saved
    other.shutdown()
    w2.close()
    missing = set(WANTED) - guard.saved
    print("saved:", sorted(guard.saved), "missing:", sorted(missing), flush=True)
    qapp.quit()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
