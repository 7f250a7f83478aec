"""The gate output: a serial relay on a pseudo-terminal, an HTTP controller on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checkpoint_app.hardware.errors import DeviceSettingError
from checkpoint_app.hardware.gate import GateError, HttpGate, SerialRelayGate, make_gate, parse_command
from tests.support.gate_controller import Controller, running_controller
from tests.support.serial_sim import PtyDevice


@pytest.fixture
def controller() -> Iterator[Controller]:
    with running_controller() as server:
        yield server


@pytest.mark.parametrize(("text", "data"), [
    ("hex:A0 01 01 A2", b"\xa0\x01\x01\xa2"), ("OPEN\\r\\n", b"OPEN\r\n"), ("\\x01\\xff", b"\x01\xff"),
    ("OPEN\r\n", b"OPEN\r\n"),  # the settings' default holds the real characters
])
def test_command_syntax(text: str, data: bytes) -> None:
    assert parse_command(text) == data


@pytest.mark.parametrize("text", ["hex:A0 0", "hex:zz", "开门"])
def test_bad_commands_are_named(text: str) -> None:
    with pytest.raises(DeviceSettingError, match="gate command"):
        parse_command(text)


def test_serial_relay_pulses_on_a_pty() -> None:
    dev = PtyDevice()
    gate = SerialRelayGate(dev.path, b"\xa0\x01\x01\xa2", release=b"\xa0\x01\x00\xa1", pulse_s=0.01)
    gate.open_gate()
    assert dev.receive(8) == b"\xa0\x01\x01\xa2\xa0\x01\x00\xa1"
    gate.open_gate()  # the port stays open between people
    assert dev.receive(8) == b"\xa0\x01\x01\xa2\xa0\x01\x00\xa1"
    gate.close()
    dev.unplug()


def test_a_vanished_relay_port_fails_clearly_every_time() -> None:
    dev = PtyDevice()
    gate = SerialRelayGate(dev.path, b"OPEN\r\n")
    gate.open_gate()
    dev.unplug()
    for _ in range(2):  # the first write notices, the reopen fails: both are clear errors
        with pytest.raises(GateError, match=f"gate relay on {dev.path} failed"):
            gate.open_gate()


def test_http_gate_opens(controller: Controller) -> None:
    HttpGate(controller.url).open_gate()
    assert controller.bodies == [{"command": "open"}]


def test_http_gate_refused(controller: Controller) -> None:
    controller.status = 503
    with pytest.raises(GateError, match="answered HTTP 503"):
        HttpGate(controller.url).open_gate()


def test_http_gate_timeout(controller: Controller) -> None:
    controller.hang = True
    with pytest.raises(GateError, match=r"did not answer within 0\.2 s"):
        HttpGate(controller.url, timeout_s=0.2).open_gate()


def test_http_gate_unreachable(controller: Controller) -> None:
    url = controller.url
    controller.shutdown()
    controller.server_close()
    with pytest.raises(GateError, match="unreachable: ConnectionError"):
        HttpGate(url).open_gate()


def test_make_gate_from_settings(controller: Controller) -> None:
    assert make_gate("none") is None
    assert isinstance(make_gate("http", http_url=controller.url), HttpGate)
    assert isinstance(make_gate("serial", serial_port="/dev/ttyUSB0", serial_command="hex:A0"), SerialRelayGate)
    with pytest.raises(DeviceSettingError, match="gate_serial_port"):
        make_gate("serial", serial_command="hex:A0")
    with pytest.raises(DeviceSettingError, match="needs a command"):
        make_gate("serial", serial_port="/dev/ttyUSB0")
    with pytest.raises(DeviceSettingError, match="http://"):
        make_gate("http", http_url="gate.local/open")
    with pytest.raises(DeviceSettingError, match="none, serial, http"):
        make_gate("relay")
