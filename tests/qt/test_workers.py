"""The camera path with a real video file as the camera, and the one-slot mailbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.demo import video as demo_video
from checkpoint_app.demo.people import demo_codes
from checkpoint_app.workers.values import CameraState
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def test_mailbox_keeps_only_the_newest() -> None:
    box: Mailbox[int] = Mailbox()
    assert box.put(1) and not box.put(2) and box.dropped == 1
    assert box.take(0) == 2 and box.take(0) is None
    got: list[int | None] = []
    reader = threading.Thread(target=lambda: got.append(box.take(5)))
    reader.start()
    box.put(3)
    reader.join(5)
    assert got == [3]
    box.close()
    assert box.take(5) is None  # a closed box never blocks


def _video(path: Path, label: str) -> Path:
    """A second of an empty desk, then a phone showing the code (a printed code looks the same)."""
    text = {c.label: c.text for c in demo_codes(int(time.time()))}[label]
    bg = demo_video._background()
    phone = demo_video._phone(bg, label, text)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (demo_video.W, demo_video.H))
    for frame in [bg] * 10 + [phone] * 20:
        writer.write(frame)
    writer.release()
    return path


def test_a_code_in_the_video_reaches_the_screen(make_app: MakeApp, tmp_path: Path) -> None:
    h = make_app(camera=str(_video(tmp_path / "cam.avi", "red-turn-back")))
    h.wait_screen("result", timeout=8000)
    assert h.outcome() == "red_turn_back" and h.window.status.camera_state is CameraState.RUNNING
    assert h.window.scan.preview.painted > 0


def test_none_and_true_survive_pyside_reference_losses() -> None:
    import sys

    from checkpoint_app.workers import refcounts

    refcounts.pin_singletons()
    if sys.version_info < (3, 12) and refcounts.loses_references():
        assert refcounts._pinned and sys.getrefcount(None) > refcounts.RESERVE // 2
        assert sys.getrefcount(True) > refcounts.RESERVE // 2
