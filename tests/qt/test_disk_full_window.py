"""The window on a full disk: a decision that cannot be recorded is never shown as a
decision; the guard sees "cannot record" and, once there is space again, scanning
goes on with every earlier record intact. A real tmpfs (needs root; skipped otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.support.qt_harness import Harness
from tests.support.small_disk import fill, small_disk

MakeApp = Callable[..., Harness]


@pytest.fixture
def small_data_disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "data-0") as mount:  # where make_app puts its first app's store
        yield mount


def test_full_disk_shows_cannot_record_then_recovers(small_data_disk: Path, make_app: MakeApp) -> None:
    h = make_app(timeout_refused_s=2.0)
    h.show_code("yellow")
    h.wait_screen("result")
    assert h.outcome() == "yellow"
    h.qtbot.keyClick(h.window.current_screen(), Qt.Key.Key_Return)
    h.wait_screen("scan")
    filler = fill(small_data_disk)
    h.show_code("red-turn-back")
    h.qtbot.waitUntil(lambda: h.outcome() == "out_of_service", timeout=10000)
    assert h.window.result.action.text().startswith("无法记录扫码")  # not a decision: nothing to act on
    filler.unlink()
    h.qtbot.keyClick(h.window.current_screen(), Qt.Key.Key_Return)
    h.wait_screen("scan")
    h.show_code("red-hospital")
    h.qtbot.waitUntil(lambda: h.outcome() == "red_hospital", timeout=10000)
    assert sorted(e.action for e in h.events()) == ["home_isolation", "hospital_transfer"]
