"""Starting the entrance hardware: a bad device setting is logged and the checkpoint runs
without that device; a bug in the start is not taken for a bad setting (it reaches the
crash handler). Real window and store thread; the gate is an HTTP gate."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication

from checkpoint_app.hardware import gate as gate_module
from checkpoint_app.hardware.errors import DeviceSettingError
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def _qapp() -> QApplication:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    return qapp


def test_a_bad_gate_setting_leaves_the_checkpoint_running(make_app: MakeApp, caplog: pytest.LogCaptureFixture) -> None:
    h = make_app(gate_kind="http", gate_http_url="gate.local/open")
    with caplog.at_level(logging.ERROR, logger="checkpoint.app"):
        h.app.start_hardware(_qapp())
    assert "hardware not started: gate URL 'gate.local/open' must start with http:// or https://" in caplog.text
    assert h.app.hardware == []
    assert not isinstance(DeviceSettingError("x"), ValueError)
    h.show_code("green")
    h.wait_screen("prompt")  # the visit goes on without a gate


@pytest.mark.parametrize("bug", [ValueError("bad arithmetic"), TypeError("wrong call"), ImportError("no module")])
def test_a_bug_in_the_hardware_start_is_not_swallowed(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
                                                      bug: Exception) -> None:
    h = make_app(gate_kind="http", gate_http_url="http://127.0.0.1:9/open")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise bug

    monkeypatch.setattr(gate_module, "make_gate", broken)
    with pytest.raises(type(bug), match=str(bug)):
        h.app.start_hardware(_qapp())
