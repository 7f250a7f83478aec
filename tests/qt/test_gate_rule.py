"""The gate opens only for an allowed, recorded decision -- over every way in: a code from
the camera, a keyboard-wedge scanner, a serial scanner (a pseudo-terminal), a manual entry,
after a restart, and in the demo. Real window, store thread, HttpGate and a loopback
turnstile controller; every opening is checked against what the store held at that moment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.visit_state import Phase
from tests.support.gate_controller import Controller, running_controller
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
Present = Callable[[Harness, str], None]


@pytest.fixture
def gate() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


class Watch:
    """Counts the gate requests and, at each, the allowed records already in the store."""

    def __init__(self, h: Harness, gate: Controller) -> None:
        self.h, self.gate = h, gate
        self.allowed_at_open: list[int] = []
        h.app.controller.entry_allowed.connect(
            lambda: self.allowed_at_open.append(sum(e.allow for e in h.events())))

    def check(self, openings: int) -> None:
        h = self.h
        h.qtbot.waitUntil(lambda: len(self.gate.bodies) == openings, timeout=5000)
        h.qtbot.wait(100)  # nothing more comes
        allowed = [e for e in h.events() if e.allow]
        assert len(self.gate.bodies) == openings == len(allowed)
        assert all(e.kind in ("decision", "manual") and (e.temperature_c or 0) < 37.3 for e in allowed)
        # each opening came after its record was durable
        base = self.allowed_at_open[0] - 1 if self.allowed_at_open else 0
        assert self.allowed_at_open == list(range(base + 1, base + 1 + len(self.allowed_at_open)))


def _app(make_app: MakeApp, gate: Controller, **settings: object) -> Harness:
    h = make_app(gate_kind="http", gate_http_url=gate.url, timeout_pass_s=1.0, **settings)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    return h


def _temperature(h: Harness, keys: str) -> None:
    h.wait_screen("prompt")
    h.type(keys)
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")


def _visits(h: Harness, present: Present) -> None:
    """A pass, a yellow code, a fever: the gate opens once."""
    present(h, "green")
    _temperature(h, "365")
    assert h.outcome() == "pass"
    h.wait_screen("scan")
    present(h, "yellow")
    h.wait_screen("result")
    assert h.outcome() == "yellow"
    h.dismiss()
    h.wait_screen("scan")
    present(h, "green-whitelist")
    _temperature(h, "385")
    assert h.outcome() == "fever"
    h.dismiss()
    h.wait_screen("scan")


def _camera(h: Harness, label: str) -> None:
    h.show_code(label)


def _wedge(h: Harness, label: str) -> None:
    h.qtbot.keyClicks(h.window.current_screen(), h.codes[label])  # a burst, as a scanner types
    h.qtbot.keyClick(h.window.current_screen(), Qt.Key.Key_Return)


def test_gate_rule_camera(make_app: MakeApp, gate: Controller) -> None:
    h = _app(make_app, gate)
    w = Watch(h, gate)
    _visits(h, _camera)
    w.check(1)


def test_gate_rule_keyboard_wedge(make_app: MakeApp, gate: Controller) -> None:
    h = _app(make_app, gate)
    w = Watch(h, gate)
    _visits(h, _wedge)
    w.check(1)


def test_gate_rule_serial_scanner(make_app: MakeApp, gate: Controller, pty: tuple[int, str]) -> None:
    master, port = pty
    h = _app(make_app, gate, scanner_serial_port=port)
    w = Watch(h, gate)

    def serial(h: Harness, label: str) -> None:
        text = h.codes[label]
        # pyserial empties its input when it opens: send until the visit starts (repeats are the same phone)
        h.qtbot.waitUntil(lambda: os.write(master, text.encode() + b"\r") > 0
                          and h.app.machine.state.text == text, timeout=5000)

    _visits(h, serial)
    w.check(1)


def test_gate_rule_manual_entry(make_app: MakeApp, gate: Controller) -> None:
    h = _app(make_app, gate)
    w = Watch(h, gate)
    for keys, outcome in (("1365", "manual"), ("2385", "fever")):
        h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)
        h.wait_screen("manual")
        h.type(keys)
        h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Return)
        h.wait_screen("result")
        assert h.outcome() == outcome
        h.dismiss()
        h.wait_screen("scan")
    w.check(1)


def test_gate_rule_after_a_restart(make_app: MakeApp, gate: Controller, tmp_path: Path) -> None:
    first = _app(make_app, gate)
    _camera(first, "green")
    _temperature(first, "365")
    Watch(first, gate).check(1)
    first.app.shutdown()
    h = _app(make_app, gate, data=first.app.data_dir)  # the same data folder, a fresh process state
    w = Watch(h, gate)
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F2)  # first thing after the start: a fever
    h.wait_screen("manual")
    h.type("1386")
    h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "fever"
    h.dismiss()
    h.wait_screen("scan")
    _visits(h, _camera)
    w.check(2)  # the pass before the restart and the one after


def test_gate_rule_id_card_lookup(tmp_path: Path, make_app: MakeApp, gate: Controller) -> None:
    """A card on the reader (a simulated SAM reader on a pty), looked up on the platform (spec 5.1)."""
    from checkpoint_app.cli import main as cli_main
    from checkpoint_app.hardware.id_card_reader import DEFAULT_TIMING
    from tests.support.id_card_sim import Card, SimReader
    from tests.support.lookup_platform import PEOPLE, ROOT_PEM, lookup_platform

    reader = SimReader(tmp_path / "ttyUSB-idreader")
    with lookup_platform(tmp_path) as platform:
        data = tmp_path / "synced"
        assert cli_main(["sync", "--once", "--server", platform.url, "--token", platform.token,
                         "--root-key", str(ROOT_PEM), "--data-dir", str(data)]) == 0
        h = _app(make_app, gate, data=data, bundled=False, id_reader_serial_port=str(reader.path))
        h.qtbot.waitUntil(lambda: h.app.lookups._platform is not None, timeout=5000)
        w = Watch(h, gate)

        def card(h: Harness, label: str) -> None:
            reader.place(None)
            h.qtbot.wait(round(DEFAULT_TIMING.removal_s * 1000) + 600)  # the last card has left
            reader.place(Card(PEOPLE[label].id_number))

        _visits(h, card)
        w.check(1)
        h.app.shutdown()
    reader.unplug()


def test_gate_rule_demo(make_app: MakeApp, gate: Controller) -> None:
    h = _app(make_app, gate, demo=True)
    assert h.app.demo_thermometer is not None
    w = Watch(h, gate)
    outcomes = []
    for label in ("green", "yellow", "green-whitelist", "red-hospital", "forged"):
        h.show_code(label)  # the demo thermometer answers the prompts: nobody types
        h.qtbot.waitUntil(lambda: h.app.machine.state.phase is Phase.RESULT, timeout=8000)
        outcomes.append(h.outcome())
        h.dismiss()
        h.wait_screen("scan")
    assert {"pass", "yellow", "red_hospital", "invalid"} <= set(outcomes)
    w.check(outcomes.count("pass"))
