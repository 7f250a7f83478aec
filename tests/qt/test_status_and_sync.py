"""The status bar's graduated warnings, and the window against the real demo authority
on loopback: first sync, a decision, its upload."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QMetaObject, Qt
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core import settings as st
from checkpoint_app.core.rules.facts import Freshness, FreshnessLevel, freshness_level
from checkpoint_app.gui.i18n import LanguageSwitcher
from checkpoint_app.gui.status_bar import StatusBarWidget
from checkpoint_app.workers.values import CameraState, StoreStatus
from tests.support.qt_harness import Harness


@pytest.mark.parametrize(("freshness", "level", "words"), [
    (Freshness(), FreshnessLevel.FRESH, "Data fresh"),
    (Freshness(cache_stale=True), FreshnessLevel.STALE, "Status data stale"),
    (Freshness(cache_stale=True, offline_too_long=True), FreshnessLevel.TOO_OLD, "Data too old to decide"),
])
def test_freshness_is_graduated(qtbot: QtBot, freshness: Freshness, level: FreshnessLevel, words: str) -> None:
    assert freshness_level(freshness, synced=True, file_mode=False) is level
    bar = StatusBarWidget()
    qtbot.addWidget(bar)
    bar.store = StoreStatus(3, 1_600_000_000, freshness, level, clock_error=False)
    bar.camera_state, bar.sync_state = CameraState.RECONNECTING, "failed"
    LanguageSwitcher().apply("en")
    bar.show_state()
    assert bar.freshness.text() == words and bar.pending.text() == "3 to upload"
    assert bar.camera.text() == "Camera lost, retrying" and bar.sync.text() == "Sync failed"
    assert bar.clock.isHidden()


def test_clock_problem_is_shown(qtbot: QtBot) -> None:
    bar = StatusBarWidget()
    qtbot.addWidget(bar)
    bar.store = StoreStatus(0, None, Freshness(clock_error=True), FreshnessLevel.FRESH, clock_error=True)
    bar.show_state()
    assert not bar.clock.isHidden() and bar.clock.text() == "Clock wrong"


@contextmanager
def demo_app(qtbot: QtBot, tmp_path: Path) -> Iterator[Harness]:
    """The window in demo mode (its in-process authority), no camera; shut down after."""
    path = tmp_path / "settings.json"
    st.save(path, st.Settings())
    app = CheckpointApp(path, tmp_path / "data", demo=True, camera="none")
    qtbot.addWidget(app.start())
    try:
        yield Harness(app, qtbot)
    finally:
        app.shutdown()


def test_demo_authority_sync_decide_upload(qtbot: QtBot, tmp_path: Path) -> None:
    with demo_app(qtbot, tmp_path) as h:
        app, window = h.app, h.window
        qtbot.waitUntil(lambda: window.status.sync_state == "ok", timeout=15000)
        qtbot.waitUntil(lambda: window.status.store is not None and window.status.store.level is FreshnessLevel.FRESH,
                        timeout=10000)
        h.show_code("red-turn-back")
        h.wait_screen("result")
        assert h.outcome() == "red_turn_back" and h.app.machine.state.decision.scan.status.cache_entry
        qtbot.waitUntil(lambda: window.status.store.pending == 1, timeout=10000)
        assert app.sync is not None
        QMetaObject.invokeMethod(app.sync, "sync_now", Qt.ConnectionType.QueuedConnection)
        qtbot.waitUntil(lambda: window.status.store.pending == 0, timeout=15000)


def test_unattended_demo_takes_the_temperature_itself(qtbot: QtBot, tmp_path: Path) -> None:
    """--demo runs the whole flow with nobody at the keyboard: a green code's temperature
    arrives from the demo thermometer, through the real thermometer's slot."""
    with demo_app(qtbot, tmp_path) as h:
        h.show_code("green")
        h.wait_screen("prompt")
        h.wait_screen("result", timeout=10000)
        decision = h.app.machine.state.decision
        assert decision is not None and decision.action == "pass" and decision.inputs.temperature_c == 36.5
