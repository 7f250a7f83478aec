"""The screen saver question goes through the tasks thread, bounded, and never starves it:
against a real unix socket that takes the connection and never answers (or answers the
authentication and then nothing), the jobs behind it -- a PIN's hash is one -- still run,
and `release()` (the shutdown) ends the question at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkpoint_app.gui import screensaver
from checkpoint_app.gui.screensaver import ScreenSaverInhibitor
from checkpoint_app.workers.tasks import TaskRunner
from tests.support.hung_bus import HungBus


@pytest.fixture
def tasks() -> TaskRunner:
    runner = TaskRunner()
    runner.start()
    yield runner
    assert runner.stop()


def _next_job_after(qtbot: QtBot, tasks: TaskRunner) -> float:
    """Seconds until a job submitted now has come home."""
    done: list[float] = []
    sent = time.monotonic()
    tasks.run(lambda: None, lambda _: done.append(time.monotonic()))
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    return done[0] - sent


@pytest.mark.parametrize("say_ok", [False, True], ids=["silent", "silent_after_auth"])
def test_a_silent_bus_holds_the_tasks_thread_no_longer_than_its_bound(
        qtbot: QtBot, tasks: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, say_ok: bool) -> None:
    monkeypatch.setattr(screensaver, "DBUS_TIMEOUT_S", 0.5)
    with HungBus(tmp_path / "bus", say_ok=say_ok) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        inhibitor = ScreenSaverInhibitor(tasks)
        sent = time.monotonic()
        inhibitor.inhibit()
        assert time.monotonic() - sent < 0.1  # the caller (the GUI thread) never waits
        waited = _next_job_after(qtbot, tasks)
        assert bus.accepted == 1
        assert 0.3 < waited < 2.0  # behind the question, which gave up at its bound
        assert not inhibitor.pending and not inhibitor.active


def test_release_cuts_the_question_short(qtbot: QtBot, tasks: TaskRunner, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screensaver, "DBUS_TIMEOUT_S", 30.0)
    with HungBus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        inhibitor = ScreenSaverInhibitor(tasks)
        inhibitor.inhibit()
        qtbot.waitUntil(lambda: bus.accepted == 1)
        inhibitor.release()
        assert _next_job_after(qtbot, tasks) < 1.0
        assert not inhibitor.pending and not inhibitor.active
