"""A real CheckpointApp per test: real widgets offscreen, the real store thread on a
fresh SQLite file, the bundled signed documents in file mode, and no camera (codes are
fed into the decoder's signal, as the camera path would). Everything is shut down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from qt_harness import _HASH, Harness, ShiftedClock

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from checkpoint_app.workers.refcounts import pin_singletons
from tests.support.x11 import X11

# The whole Qt session, not just each app: every widget test makes void calls (see refcounts.py).
pin_singletons()

# The offscreen platform has no window manager to pass a dialog's size hints to, and says
# so once per dialog; under xcb (the Xvfb test) the message does not exist.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in ("test_admin_flows.py", "test_visit_flows.py", "test_texts.py", "test_workers.py"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOTICE))


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
        assert app.decoder is None or not app.decoder.isRunning()
        assert not app.controller._wake.isActive() and not app.controller._tick.isActive()


@pytest.fixture
def x11() -> Iterator[X11]:
    """A real X server and window manager (tests/support/x11.py) for one test."""
    server = X11()
    yield server
    server.close()
