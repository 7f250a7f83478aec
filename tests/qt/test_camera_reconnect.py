"""Camera loss and recovery in the running window: an image-folder camera that disappears
is shown as lost and reopened with backoff when it comes back, without a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.workers.values import CameraState
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def test_a_camera_that_disappears_is_reported_and_reopened(make_app: MakeApp, tmp_path: Path) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i:04d}.png"), np.full((120, 160, 3), 40 * i, np.uint8))
    h = make_app(camera=str(folder))
    status = h.window.status
    h.qtbot.waitUntil(lambda: status.camera_state is CameraState.RUNNING, timeout=10000)
    folder.rename(tmp_path / "unplugged")
    h.qtbot.waitUntil(lambda: status.camera_state is CameraState.RECONNECTING, timeout=10000)
    (tmp_path / "unplugged").rename(folder)
    h.qtbot.waitUntil(lambda: status.camera_state is CameraState.RUNNING, timeout=15000)
    assert h.app.camera is not None and h.app.camera.state is CameraState.RUNNING
