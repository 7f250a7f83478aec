"""SerialLink.write on a port that goes away: one error type, whatever the OS call failed."""

from __future__ import annotations

import termios

import pytest
import serial

from checkpoint_app.hardware.serial_link import SerialLink
from tests.support.serial_sim import PtyDevice
from tests.support.waiting import wait_for


def test_a_port_lost_while_the_write_drains_is_a_serial_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter unplugged between write() and tcdrain(): termios.error, which is not an OSError,
    killed the thermometer's poll thread (seen once in CI); it must be the documented SerialException."""
    device = PtyDevice()
    link = SerialLink(device.path, 9600, lambda _data: None, lambda _message: None, name="thermometer")
    link.start()
    try:
        wait_for(lambda: link.connected)

        def drain_on_a_lost_port() -> None:
            raise termios.error(5, "Input/output error")

        monkeypatch.setattr(link._serial, "flush", drain_on_a_lost_port)
        with pytest.raises(serial.SerialException, match=r"thermometer port .* lost"):
            link.write(b"\xa5")
    finally:
        link.stop()
        device.unplug()
