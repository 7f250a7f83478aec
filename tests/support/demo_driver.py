"""Drives the window in a real X window (run under Xvfb by test_demo_screens.py) and saves a
PNG of every screen a guard meets -- every outcome, the prompts, manual entry, "next person
ready" -- at 1024x768, 1280x800 and 1920x1080, in Chinese and in English, to OUT_DIR as
`<screen>-<W>x<H>-<zh|en>.png` (8-bit palette: the screens are flat colours and text).

The pictures are for the guard's guide, so they show a real site, not `--demo`: the window
is set up as an installer would (a platform URL, token and pinned key; the shipped
timeouts, so red, fever and cannot-verify stay until Enter; the sound on) against the demo
people's platform (checkpoint_app.demo.authority, started here on loopback). It needs an
audio output -- a PulseAudio server (scripts/null_sink.sh) where there is no sound card --
and stops with one line when there is none, rather than picture a red "sound off" chip.

It plays a guard at the keyboard: types temperatures (one out of range, one fever), marks
no mask then mask on, dismisses refusals, makes a manual entry with F2, looks people up by
a typed ID number with F6 (the platform answers; once it is made to wait, once it does not
know the person, once there is no platform and the manual record follows), and meets a
refusal that a revised policy adds (`refused`). The first phase runs a camera (a video of
phone screens) for the scanning screen; the rest feeds the demo codes as the camera would,
with a clock the guard can skip ahead (a refusal holds 3 s; the same code is a new visit
only 4 s after its last)."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QMetaObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from checkpoint_app.app import CheckpointApp
from checkpoint_app.authority.documents import sign_json
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.core import settings as st
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.demo.authority import DemoAuthority, start_demo_authority
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir
from checkpoint_app.demo.video import make_demo_video
from checkpoint_app.hardware.audio import AudioOutput
from checkpoint_app.resources import resource
from tests.support.clocks import ShiftedClock
from tests.support.qt_loop import spin, wait_in_loop

OUT = Path("screens")  # set from the command line in main()
SIZES = ((1024, 768), (1280, 800), (1920, 1080))
OUTCOMES = ("pass", "yellow", "red_hospital", "red_turn_back", "fever", "invalid-expired", "invalid-bad_signature",
            "cannot_verify", "manual", "not_a_code", "refused")
SCREENS = ("scan", "scan-scanner-only", "prompt", "prompt-measure-again", "prompt-wear-mask", "manual-entry",
           "yellow-next-ready", "id-entry-wrong", "id-entry", "lookup", "lookup-prompt", "lookup-not-found",
           "lookup-failed")
STAYS = ("red_hospital", "red_turn_back", "fever", "cannot_verify")  # until Enter, at a real site
WANTED = tuple(f"{name}-{w}x{h}" for name in (*OUTCOMES, *SCREENS) for w, h in SIZES)
PAYMENT_QR = "https://qr.alipay.com/fkx19427pqkzxmcbd0c5f2"
LOOKED_UP = DEMO_PEOPLE[0].id_number  # the demo platform knows the demo people (spec 5.1)
STRANGER = "110101200001010002"  # a valid number the platform does not know
# A revised policy's new refusal, which this build has no screen of its own for (Outcome.REFUSED):
# a yellow code with respiratory symptoms (reason 201: the demo's yellow person) goes to a fever clinic.
NEW_ACTION = ("fever_clinic", {"zh": "请其前往发热门诊就诊", "en": "Send them to a fever clinic", "allow": False})
NEW_RULE = {"id": "yellow-symptoms", "if": {"and": [{"==": [{"var": "color"}, "yellow"]},
                                                     {"in": [201, {"var": "reasons"}]}]}, "then": NEW_ACTION[0]}


def save_small(image: QImage, path: Path) -> None:
    """An 8-bit palette PNG with the screen's own colours (median cut, no dithering)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    pixels = Image.frombuffer("RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB",
                              rgb.bytesPerLine(), 1)
    pixels.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


class Guard:
    """One app's window at one size: shows codes, types, grabs screens."""

    def __init__(self, app: CheckpointApp, clock: ShiftedClock, saved: set[str],
                 platform: DemoAuthority | None = None) -> None:
        self.app, self.w, self.clock, self.saved, self.platform = app, app.window, clock, saved, platform
        self.codes = {c.label: c.text for c in demo_codes(int(time.time()))}
        self.size = (1280, 800)

    def resize(self, w: int, h: int) -> None:
        self.size = (w, h)
        self.w.setGeometry(0, 0, w, h)
        wait_in_loop(lambda: self.w.width() == w and self.w.height() == h)
        spin(150)  # the X server repaints asynchronously

    def grab(self, name: str) -> None:
        w, h = self.size
        if name in STAYS and self.app.machine.state.deadline is not None:
            raise SystemExit(f"{name} would go by itself: the guide shows it staying until Enter")
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
        assert self.platform is not None
        db = sqlite3.connect(str(self.platform.handle.authority.engine.url.database), timeout=10)
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


def site_settings(path: Path, platform: DemoAuthority) -> Path:
    """An installed checkpoint's settings: its platform, token and pinned key; everything
    else (timeouts, volumes, language) as shipped."""
    st.save(path, st.Settings(server_url=platform.url, token=platform.token, checkpoint_id=platform.checkpoint_id,
                              root_keys=str(platform.distribution_public_key), venue_id="140105-mall-0007",
                              admin_pin=st.hash_pin("1234")))
    return path


def open_window(settings: Path, data: Path, camera: str, clock: ShiftedClock, saved: set[str],
                platform: DemoAuthority | None) -> Guard:
    """The window up, synced (when it has a platform) and with its audio output found."""
    app = CheckpointApp(settings, data, camera=camera, clock=clock)
    window = app.start()
    window.show()
    wait_in_loop(lambda: window.status.store is not None and app.sound.output is not None, 20)
    if not isinstance(app.sound.output, AudioOutput):
        raise SystemExit(f"no audio output ({app.sound.output}): start one first, "
                         'e.g. eval "$(bash scripts/null_sink.sh)"')
    if platform is not None:
        wait_in_loop(lambda: window.status.sync_state == "ok", 30, what="the first sync")
    return Guard(app, clock, saved, platform)


def close(guard: Guard) -> None:
    guard.app.shutdown()
    guard.w.close()


def scanning(work: Path, platform: DemoAuthority, saved: set[str]) -> None:
    """The scanning screen with a camera's live picture."""
    video = make_demo_video(work / "video", empty_s=6.0, shown_s=1.0)
    guard = open_window(site_settings(work / "camera.json", platform), work / "camera-data", str(video.path),
                        ShiftedClock(), saved, platform)
    for w, h in SIZES:
        guard.resize(w, h)
        wait_in_loop(lambda: guard.w.scan.preview.painted > 20, 15)
        guard.grab("scan")
    close(guard)


def revised_policy() -> bytes:
    """The shipped policy at serial 2 with a refusal this build has no screen for."""
    doc: dict[str, Any] = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    doc["serial"], doc["issued_at"] = doc["serial"] + 1, int(time.time()) - 60
    doc["actions"][NEW_ACTION[0]] = NEW_ACTION[1]
    doc["rules"].insert(next(i for i, r in enumerate(doc["rules"]) if r["id"] == "yellow"), NEW_RULE)
    return sign_json(load_private_key(demo_keys_dir() / "distribution.pem"), doc)


def refused(guard: Guard, platform: DemoAuthority) -> None:
    """The platform publishes the revised policy; the checkpoint's next sync takes it."""
    serial = platform.handle.authority.publish("policy", revised_policy())
    assert guard.app.sync is not None
    QMetaObject.invokeMethod(guard.app.sync, "sync_now", Qt.ConnectionType.QueuedConnection)
    ctx = lambda: guard.app.controller.ctx  # noqa: E731
    wait_in_loop(lambda: ctx() is not None and ctx().policy.serial == serial, 30, what="the revised policy")
    for w, h in SIZES:
        guard.resize(w, h)
        guard.show("yellow")
        guard.grab("refused")
        guard.finish()


def driven(work: Path, platform: DemoAuthority, saved: set[str]) -> None:
    """Every other screen, at a scanner-only site (a USB scanner, no camera)."""
    clock = ShiftedClock()
    guard = open_window(site_settings(work / "site.json", platform), work / "site-data", "none", clock, saved,
                        platform)
    for w, h in SIZES:
        guard.resize(w, h)
        guard.grab("scan-scanner-only")  # no picture: what to do, where it would be
        guard.visits()
        guard.lookups()
    refused(guard, platform)
    close(guard)
    # "Cannot verify": a checkpoint that never synced, given a valid code.
    never = work / "never.json"
    st.save(never, st.Settings(camera="none", admin_pin=st.hash_pin("1234")))
    guard2 = open_window(never, work / "never-synced", "none", clock, saved, None)
    for w, h in SIZES:
        guard2.resize(w, h)
        guard2.show("green")
        guard2.grab("cannot_verify")
        guard2.finish()
        guard2.lookup_without_answer()
    close(guard2)


def main() -> int:
    global OUT
    OUT = Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    saved: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="guide-screens-") as folder:  # the checkpoints' and platform's files
        work = Path(folder)
        platform = start_demo_authority(work / "platform")
        try:
            scanning(work, platform, saved)
            driven(work, platform, saved)
        finally:
            platform.stop()
    missing = set(WANTED) - saved
    print("saved:", len(saved), "missing:", sorted(missing), flush=True)
    qapp.quit()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
