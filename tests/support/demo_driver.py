"""Drives `--demo` in a real X window (run under Xvfb by test_demo_screens.py) and saves a
PNG of every screen a guard meets -- every outcome, the prompts, manual entry, "next person
ready" -- at 1024x768, 1280x800 and 1920x1080, in Chinese and in English, to OUT_DIR as
`<screen>-<W>x<H>-<zh|en>.png` (8-bit palette: the screens are flat colours and text).

It plays a guard at the keyboard: types temperatures (one out of range, one fever), marks
no mask then mask on, dismisses refusals, makes a manual entry with F2, looks people up by
a typed ID number with F6 (the demo platform answers; once it is made to wait, once it
does not know the person, once there is no platform and the manual record follows). The first phase
runs the demo camera (a video of phone screens) for the scanning screen; the rest feeds
the demo codes as the camera would, with a clock the guard can skip ahead (a refusal holds
3 s; the same code is a new visit only 4 s after its last)."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.demo.folders import demo_folders
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes
from checkpoint_app.demo.video import make_demo_video
from tests.support.clocks import ShiftedClock
from tests.support.qt_loop import spin, wait_in_loop

OUT = Path("screens")  # set from the command line in main()
SIZES = ((1024, 768), (1280, 800), (1920, 1080))
OUTCOMES = ("pass", "yellow", "red_hospital", "red_turn_back", "fever", "invalid-expired", "invalid-bad_signature",
            "cannot_verify", "manual", "not_a_code")
SCREENS = ("scan", "prompt", "prompt-measure-again", "prompt-wear-mask", "manual-entry", "yellow-next-ready",
           "id-entry-wrong", "id-entry", "lookup", "lookup-prompt", "lookup-not-found", "lookup-failed")
WANTED = tuple(f"{name}-{w}x{h}" for name in (*OUTCOMES, *SCREENS) for w, h in SIZES)
PAYMENT_QR = "https://qr.alipay.com/fkx19427pqkzxmcbd0c5f2"
LOOKED_UP = DEMO_PEOPLE[0].id_number  # the demo platform knows the demo people (spec 5.1)
STRANGER = "110101200001010002"  # a valid number the platform does not know


def save_small(image: QImage, path: Path) -> None:
    """An 8-bit palette PNG with the screen's own colours (median cut, no dithering)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    pixels = Image.frombuffer("RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB",
                              rgb.bytesPerLine(), 1)
    pixels.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


class Guard:
    """One app's window at one size: shows codes, types, grabs screens."""

    def __init__(self, app: CheckpointApp, clock: ShiftedClock, saved: set[str]) -> None:
        self.app, self.w, self.clock, self.saved = app, app.window, clock, saved
        self.codes = {c.label: c.text for c in demo_codes(int(time.time()))}
        self.size = (1280, 800)

    def resize(self, w: int, h: int) -> None:
        self.size = (w, h)
        self.w.setGeometry(0, 0, w, h)
        wait_in_loop(lambda: self.w.width() == w and self.w.height() == h)
        spin(150)  # the X server repaints asynchronously

    def grab(self, name: str) -> None:
        w, h = self.size
        for lang in ("zh_CN", "en"):
            self.app.set_language(lang)
            spin(60)
            save_small(self.w.screen().grabWindow(self.w.winId()).toImage(), OUT / f"{name}-{w}x{h}-{lang[:2]}.png")
        self.app.set_language("zh_CN")
        self.saved.add(f"{name}-{w}x{h}")

    def show(self, text: str) -> None:
        before = self.app.machine.state
        assert self.app.decoder is not None
        self.app.decoder.code_read.emit(self.codes.get(text, text), time.monotonic())
        wait_in_loop(lambda: self._moved_on(before),
                     what=lambda: f"{text[:20]} -> {self.app.machine.state.phase} {self.app.machine.state.outcome}")

    def keys(self, text: str) -> None:
        QTest.keyClicks(self.w.current_screen(), text)

    def key(self, key: Qt.Key) -> None:
        before = self.app.machine.state
        QTest.keyClick(self.w.current_screen(), key)
        wait_in_loop(lambda: self._moved_on(before))

    def _moved_on(self, before: object) -> bool:
        """A decision after `before`, and not the moment of recording it."""
        state = self.app.machine.state
        return state is not before and state.phase is not Phase.RECORDING

    def finish(self) -> None:
        """Enter, once a refusal's hold and the repeat guard are over."""
        self.clock.offset += 5
        waiting = self.app.machine.state.waiting is not None
        self.key(Qt.Key.Key_Return)
        if waiting:  # the waiting code is verified again: its visit starts
            wait_in_loop(lambda: self.app.machine.state.phase in (Phase.PROMPT, Phase.RESULT))
        self.clock.offset += 5  # the same code again is a new visit

    def visits(self) -> None:
        self.show("green")
        self.keys("365")  # typed, not entered: the screenshot shows the reading
        self.grab("prompt")
        QTest.keyClick(self.w.prompt, Qt.Key.Key_Backspace)
        QTest.keyClick(self.w.prompt, Qt.Key.Key_Backspace)
        self.keys("2")
        self.key(Qt.Key.Key_Return)  # 32 °C: out of range
        self.grab("prompt-measure-again")
        self.keys("m365")
        self.key(Qt.Key.Key_Return)  # -> put on a mask
        self.grab("prompt-wear-mask")
        self.key(Qt.Key.Key_K)
        self.grab("pass")
        self.finish()
        self.show("yellow")
        self.grab("yellow")
        self.show("green-whitelist")  # the next person, too early: waits
        self.grab("yellow-next-ready")
        self.finish()  # the waiting code is taken: a green prompt
        self.keys("385")
        self.key(Qt.Key.Key_Return)
        self.grab("fever")
        self.finish()
        for label, name in (("red-hospital", "red_hospital"), ("red-turn-back", "red_turn_back"),
                            ("expired", "invalid-expired"), ("forged", "invalid-bad_signature"),
                            (PAYMENT_QR, "not_a_code")):
            self.show(label)
            self.grab(name)
            self.finish()
        self.key(Qt.Key.Key_F2)
        self.keys("2364")  # an elderly person, 36.4 °C
        self.grab("manual-entry")
        self.key(Qt.Key.Key_Return)
        self.grab("manual")
        self.finish()


    @contextmanager
    def platform_busy(self) -> Iterator[None]:
        """The demo platform's database held by another writer: a lookup waits (its waiting
        screen can be seen) until the block ends."""
        authority = self.app.authority.handle.authority  # type: ignore[attr-defined]
        db = sqlite3.connect(str(authority.engine.url.database), timeout=10)
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            db.rollback()
            db.close()

    def lookups(self) -> None:
        """People without a phone: the ID number typed with F6 (checked as typed), looked up.
        On the real clock: an answer is taken only within clock_skew_s of the checkpoint's
        time, and the skipped-ahead clock of the visits would make every answer stale."""
        skipped, self.clock.offset = self.clock.offset, 0.0
        self.key(Qt.Key.Key_F6)
        self.keys(LOOKED_UP[:-1] + ("0" if LOOKED_UP[-1] != "0" else "1"))  # a wrong check digit
        self.grab("id-entry-wrong")
        QTest.keyClick(self.w.id_entry, Qt.Key.Key_Backspace)
        self.keys(LOOKED_UP[-1])
        self.grab("id-entry")
        with self.platform_busy():
            self.key(Qt.Key.Key_Return)
            spin(200)
            self.grab("lookup")
        wait_in_loop(lambda: self.app.machine.state.phase is Phase.PROMPT,
                   what=lambda: f"a prompt after the lookup, not {self.app.machine.state.phase}")
        self.grab("lookup-prompt")
        self.keys("365")
        self.key(Qt.Key.Key_Return)
        self.finish()
        self.key(Qt.Key.Key_F6)
        self.keys(STRANGER)
        self.key(Qt.Key.Key_Return)
        wait_in_loop(lambda: self.app.machine.state.phase is Phase.RESULT, what="the not-found result")
        self.grab("lookup-not-found")
        self.finish()
        self.clock.offset = skipped + self.clock.offset  # no time goes back for the visits' guards

    def lookup_without_answer(self) -> None:
        """A checkpoint that cannot reach a platform: the lookup leads to the manual record."""
        self.key(Qt.Key.Key_F6)
        self.keys(LOOKED_UP)
        self.key(Qt.Key.Key_Return)
        wait_in_loop(lambda: self.app.machine.state.phase is Phase.MANUAL, what="the manual record")
        self.grab("lookup-failed")
        self.key(Qt.Key.Key_Escape)


def scanning(saved: set[str]) -> None:
    """The scanning screen with the demo camera's live picture."""
    settings_path, data_dir = demo_folders()
    video = make_demo_video(data_dir.parent / "video-short", empty_s=6.0, shown_s=1.0)
    app = CheckpointApp(settings_path, data_dir, demo=True, camera=str(video.path))
    window = app.start()
    window.show()
    guard = Guard(app, ShiftedClock(), saved)
    for w, h in SIZES:
        guard.resize(w, h)
        wait_in_loop(lambda: window.scan.preview.painted > 20, 15)
        guard.grab("scan")
    app.shutdown()
    window.close()


def driven(saved: set[str]) -> None:
    """Every other screen, in the demo (its in-process platform and documents)."""
    settings_path, data_dir = demo_folders()
    clock = ShiftedClock()
    app = CheckpointApp(settings_path, data_dir, demo=True, camera="none", clock=clock)
    window = app.start()
    window.show()
    guard = Guard(app, clock, saved)
    wait_in_loop(lambda: window.status.store is not None)
    for w, h in SIZES:
        guard.resize(w, h)
        guard.visits()
        guard.lookups()
    app.shutdown()
    window.close()
    # "Cannot verify": a checkpoint that never synced, given a valid code.
    st.save(settings_path.with_name("never.json"), st.Settings(camera="none"))
    other = CheckpointApp(settings_path.with_name("never.json"), data_dir.parent / "never-synced", camera="none",
                          clock=clock)
    w2 = other.start()
    w2.show()
    guard2 = Guard(other, clock, saved)
    wait_in_loop(lambda: w2.status.store is not None)
    for w, h in SIZES:
        guard2.resize(w, h)
        guard2.show("green")
        guard2.grab("cannot_verify")
        guard2.finish()
        guard2.lookup_without_answer()
    other.shutdown()
    w2.close()


def main() -> int:
    global OUT
    OUT = Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    saved: set[str] = set()
    scanning(saved)
    driven(saved)
    missing = set(WANTED) - saved
    print("saved:", len(saved), "missing:", sorted(missing), flush=True)
    qapp.quit()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
