"""Answers that come home after the window moved on: a lookup's answer (spec 5.1) that
arrives once a caught bug has put the window "out of service" must not finish the hidden
visit -- a pass nobody sees, recorded, and the gate opened while the guard reads "out of
service". The reference authority over loopback behind a relay that holds the lookup's
answer for a while, a loopback turnstile controller as the gate."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.visit_state import Phase
from tests.hostile.test_lookup_slow_platform import GREEN, synced, type_and_look_up, wait_phase
from tests.support.gate_controller import Controller, running_controller
from tests.support.lookup_platform import LookupPlatform, RecordingProxy, lookup_platform
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
HOLD_S = 1.5


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


@pytest.fixture
def gate() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


def _held_answers(proxy: RecordingProxy, seconds: float) -> None:
    def hold(path: str, content: bytes) -> bytes:
        if path.startswith("/v1/lookup"):
            time.sleep(seconds)  # the platform thinks; the proxy's handler thread waits
        return content
    proxy.replace = hold


def _window(make_app: MakeApp, tmp_path: Path, platform: LookupPlatform, gate: Controller,
            proxy: RecordingProxy) -> Harness:
    h = make_app(data=synced(tmp_path, platform, proxy.url), bundled=False, gate_kind="http",
                 gate_http_url=gate.url, timeout_prompt_s=1.0)
    h.qtbot.waitUntil(lambda: h.app.lookups._platform is not None, timeout=5000)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    return h


@pytest.fixture
def proxy(platform: LookupPlatform) -> Iterator[RecordingProxy]:
    p = RecordingProxy(platform.url)
    _held_answers(p, HOLD_S)
    yield p
    p.stop()


def test_a_held_lookup_answer_passes_and_opens_the_gate(make_app: MakeApp, tmp_path: Path, platform: LookupPlatform,
                                                        gate: Controller, proxy: RecordingProxy) -> None:
    """The control: the same held answer, nothing else happening, is a pass through the gate."""
    h = _window(make_app, tmp_path, platform, gate, proxy)
    type_and_look_up(h, GREEN)
    h.wait_screen("prompt", timeout=int(HOLD_S * 1000) + 10_000)
    h.type("365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass"
    h.qtbot.waitUntil(lambda: len(gate.bodies) == 1, timeout=5000)


@pytest.mark.qt_no_exception_capture
def test_a_lookup_answer_after_out_of_service_opens_no_gate_and_records_nothing(
        make_app: MakeApp, tmp_path: Path, platform: LookupPlatform, gate: Controller, proxy: RecordingProxy) -> None:
    h = _window(make_app, tmp_path, platform, gate, proxy)
    left: list[int] = []
    h.app.catch_bugs(leave=left.append, restart_after_ms=None)  # uninstalled again by shutdown
    type_and_look_up(h, GREEN)
    h.qtbot.waitUntil(lambda: any(path.startswith("/v1/lookup") for path, _ in proxy.sent), timeout=10_000)

    def broken_slot() -> None:
        raise RuntimeError("a bug in a slot")

    QTimer.singleShot(0, broken_slot)
    h.qtbot.waitUntil(lambda: h.outcome() == "out_of_service")
    h.qtbot.waitUntil(lambda: any(path.startswith("/v1/lookup") for path, _ in proxy.answers),
                      timeout=int(HOLD_S * 1000) + 10_000)
    h.qtbot.wait(2500)  # the answer has come home meanwhile, and its prompt's 1 s would be over
    assert h.outcome() == "out_of_service" and h.window.current_screen() is h.window.result
    assert h.events() == [] and gate.bodies == []
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)  # the guard dismisses it: scanning again
    wait_phase(h, Phase.SCANNING)
    h.qtbot.wait(300)
    assert h.events() == [] and gate.bodies == []
