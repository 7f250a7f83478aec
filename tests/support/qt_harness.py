"""The window tests' CheckpointApp: `make_app` (a fixture: a real app per test, real widgets
offscreen, the real store thread on a fresh SQLite file, the bundled signed documents in file
mode, and no camera: codes are fed into the decoder's signal, as the camera path would;
everything is shut down) and the Harness a test drives it through."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store.store import Store
from checkpoint_app.core.visit_state import MIN_HOLD_S
from checkpoint_app.demo.people import demo_codes
from checkpoint_app.workers.refcounts import pin_singletons
from tests.support.clocks import ShiftedClock

PIN = "2468"
_HASH = st.hash_pin(PIN)  # once per session: scrypt is slow on purpose

# The whole Qt session, not just each app: every widget test makes void calls (see refcounts.py).
pin_singletons()


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


@pytest.fixture
def make_app(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    made: list[CheckpointApp] = []

    def make(*, bundled: bool = True, data: Path | None = None, demo: bool = False, folder: Path | None = None,
             **settings: object) -> Harness:
        """`data`: the data folder of an earlier app (a restart); `folder`: where the
        settings (and the PIN's lockout state) live."""
        path = (folder or tmp_path) / f"settings-{len(made)}.json"
        camera = str(settings.pop("camera", "none"))
        st.save(path, st.Settings(**{"admin_pin": _HASH, **settings}))  # type: ignore[arg-type]
        clock = ShiftedClock()
        app = CheckpointApp(path, data or tmp_path / f"data-{len(made)}", camera=camera, bundled_documents=bundled,
                            clock=clock, demo=demo)
        made.append(app)
        window = app.start()
        # pytest-qt closes and deletes the window before fixtures are torn down: the app goes
        # first, or a visit timer due in between renders into deleted widgets (a flaky teardown).
        qtbot.addWidget(window, before_close_func=lambda _w, app=app: app.shutdown())
        window.resize(1280, 800)
        window.show()
        # Not waitSignal: that would connect straight into the store thread's emit.
        qtbot.waitUntil(lambda: window.status.store is not None, timeout=15000)
        return Harness(app, qtbot, clock)

    yield make
    for app in made:
        app.shutdown()
        # No dangling threads or timers: every worker thread joined, the visit timers stopped.
        assert not any(t.thread.isRunning() for t in app.threads)
        assert not app.tasks.worker_thread.thread.isRunning()
        assert not app.controller._wake.isActive() and not app.controller._tick.isActive()
