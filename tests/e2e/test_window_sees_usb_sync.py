"""A first sync from a USB stick, run by another process on the window's data folder, is
decided with within 5 s -- no restart: the store thread watches SQLite's data_version."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.authority.export import export_folder
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.core import settings as st
from checkpoint_app.core.rules.facts import FreshnessLevel
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir, hid_secret
from tests.support.sync_platform import NOW, Platform

PUB = str(demo_keys_dir() / "distribution.pub.pem")


@pytest.fixture(autouse=True)
def offscreen() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _decide(app: CheckpointApp, qtbot: QtBot, text: str) -> str:
    assert app.decoder is not None
    app.controller._apply(app.machine.reset(time.time()))  # whatever the last visit showed
    app.decoder.code_read.emit(text, time.monotonic())
    qtbot.waitUntil(lambda: app.machine.state.phase in (Phase.PROMPT, Phase.RESULT), timeout=5000)
    d = app.machine.state.decision
    assert d is not None
    return d.action


def test_a_sync_from_another_process_is_decided_with_within_5_s(platform: Platform, tmp_path: Path,
                                                                   qtbot: QtBot) -> None:
    green = DEMO_PEOPLE[0]
    # The platform has turned the green person red since their code was issued.
    platform.authority.set_statuses([(hid_for(hid_secret(), green.id_number), 2, (103,), NOW)])
    usb = tmp_path / "usb"
    export_folder(platform.authority, usb)
    settings, data = tmp_path / "settings.json", tmp_path / "cp"
    st.save(settings, st.Settings())  # no server, no keys: a USB-only site before its first stick
    app = CheckpointApp(settings, data, camera="none")
    window = app.start()
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.status.store is not None and window.status.store.level == "never",
                        timeout=10000)
        codes = {c.label: c.text for c in demo_codes(NOW)}
        assert _decide(app, qtbot, codes["green"]) == "cannot_verify"
        run = subprocess.run([sys.executable, "-m", "checkpoint_app", "sync", "--from", str(usb), "--root-key", PUB,
                              "--data-dir", str(data)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        synced = time.monotonic()
        qtbot.waitUntil(lambda: window.status.store is not None and window.status.store.level is FreshnessLevel.FRESH,
                        timeout=5000)
        assert time.monotonic() - synced < 5
        again = {c.label: c.text for c in demo_codes(NOW + 1)}  # the same person, another phone read
        assert _decide(app, qtbot, again["green"]) == "turn_back_isolation"  # the new cache
        assert app.controller.policy is not None and app.controller.policy.serial >= 1
    finally:
        app.shutdown()
