"""The handle the window tests drive a CheckpointApp through."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.authority.demo import demo_codes
from checkpoint_app.core import settings as st
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store.store import Store

PIN = "2468"
_HASH = st.hash_pin(PIN)  # once per session: scrypt is slow on purpose


class Harness:
    def __init__(self, app: CheckpointApp, qtbot: QtBot) -> None:
        self.app, self.qtbot = app, qtbot
        self.window = app.window
        self.codes = {c.label: c.text for c in demo_codes(int(time.time()))}

    def show_code(self, label_or_text: str) -> None:
        """A code read by the decoder, as from a camera frame."""
        assert self.app.decoder is not None
        self.app.decoder.code_read.emit(self.codes.get(label_or_text, label_or_text), time.monotonic())

    def wait_screen(self, name: str, timeout: int = 5000) -> None:
        screens = {"scan": self.window.scan, "prompt": self.window.prompt, "result": self.window.result}
        self.qtbot.waitUntil(lambda: self.window.current_screen() is screens[name], timeout=timeout)

    def outcome(self) -> str:
        return str(self.window.result.property("outcome"))

    def type(self, keys: str) -> None:
        self.qtbot.keyClicks(self.window.current_screen(), keys)

    def events(self) -> list[ScanEvent]:
        with Store.open(self.app.data_dir, check=False) as store:
            return store.events_between(0, 2**62)
