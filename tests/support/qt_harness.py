"""The handle the window tests drive a CheckpointApp through."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store.store import Store
from checkpoint_app.core.visit_state import MIN_HOLD_S
from checkpoint_app.demo.people import demo_codes

PIN = "2468"
_HASH = st.hash_pin(PIN)  # once per session: scrypt is slow on purpose


class ShiftedClock:
    """The real time plus what a test skipped ahead (QTimers keep real time)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Harness:
    def __init__(self, app: CheckpointApp, qtbot: QtBot, clock: ShiftedClock | None = None) -> None:
        self.app, self.qtbot = app, qtbot
        self.clock = clock or ShiftedClock()
        self.window = app.window
        self.codes = {c.label: c.text for c in demo_codes(int(time.time()))}

    def show_code(self, label_or_text: str) -> None:
        """A code read by the decoder, as from a camera frame."""
        assert self.app.decoder is not None
        self.app.decoder.code_read.emit(self.codes.get(label_or_text, label_or_text), time.monotonic())

    def wait_screen(self, name: str, timeout: int = 5000) -> None:
        screens = {"scan": self.window.scan, "prompt": self.window.prompt, "result": self.window.result,
                   "manual": self.window.manual}
        self.qtbot.waitUntil(lambda: self.window.current_screen() is screens[name], timeout=timeout)

    def later(self, seconds: float) -> None:
        self.clock.offset += seconds

    def dismiss(self) -> None:
        """Enter on a result once a refusal's minimum hold is over."""
        self.later(MIN_HOLD_S)
        self.qtbot.keyClick(self.window.result, Qt.Key.Key_Return)

    def outcome(self) -> str:
        return str(self.window.result.property("outcome"))

    def type(self, keys: str) -> None:
        self.qtbot.keyClicks(self.window.current_screen(), keys)

    def events(self) -> list[ScanEvent]:
        with Store.open(self.app.data_dir, check=False) as store:
            return store.events_between(0, 2**62)
