"""Exposure control across the two threads: the decode thread's controller asks, the camera
thread carries it out on the camera (a simulated one with its own auto exposure: no webcam
exists here) and gives the camera its exposure back when the code is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from bench.scan.camera_sim import SimulatedCamera, screen_scene
from checkpoint_app.core.scanning.exposure import ExposureLink, RegionLevels
from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.workers.camera_worker import CameraWorker
from checkpoint_app.workers.decode_worker import DecodeWorker
from checkpoint_app.workers.frames import Frame, PreviewFrame
from checkpoint_app.workers.threads import WorkerThread
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


class RecordingCamera(SimulatedCamera):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.asked: list[float | None] = []  # stops, None for auto, in the order applied

    def manual(self, stops: float) -> bool:
        self.asked.append(stops)
        return super().manual(stops)

    def auto(self) -> bool:
        self.asked.append(None)
        return super().auto()


def test_a_burnt_screen_is_read_with_a_shorter_exposure_then_auto_returns(qtbot: QtBot) -> None:
    scene = screen_scene("bright", 0, frames=40, size=(960, 540))
    camera_source = RecordingCamera(scene, seed=0)
    link = ExposureLink()
    decode_box: Mailbox[Frame] = Mailbox()
    preview_box: Mailbox[PreviewFrame] = Mailbox()
    decoder = DecodeWorker(decode_box, ScanPipeline(), exposure=link)
    read: list[str] = []
    decoder.code_read.connect(lambda text, _t: read.append(text))
    decoding = WorkerThread(decoder, "decode")
    decoding.start()
    camera = CameraWorker(lambda: camera_source, decode_box, preview_box, link)
    camera.start()  # its timer ticks in this thread's event loop
    try:
        qtbot.waitUntil(lambda: bool(read), timeout=30000)
        qtbot.waitUntil(lambda: camera_source.asked[-1:] == [None], timeout=10000)
        qtbot.waitUntil(lambda: camera_source.manual_stops is None, timeout=10000)  # a frame later
    finally:
        camera.stop()
        assert decoding.stop()
    assert read[0] == scene.text
    assert any(s is not None and s < 0 for s in camera_source.asked)  # shorter, never longer
    assert all(s is None or s < 0 for s in camera_source.asked)


def test_a_camera_holding_our_exposure_gets_its_own_back_when_scanning_stops(qtbot: QtBot) -> None:
    scene = screen_scene("bright", 1, frames=400, size=(320, 180), code=False)
    camera_source = RecordingCamera(scene, seed=1)
    link = ExposureLink()
    burnt = np.full((180, 320), 255, np.uint8)
    for i in range(3):  # the decode side saw a burnt code-like region: a shorter exposure is asked for
        link.after_frame(burnt, False, (RegionLevels(0.9, 255.0, 200.0),), i / 15)
    camera = CameraWorker(lambda: camera_source, Mailbox(), Mailbox(), link)
    camera.start()
    try:
        qtbot.waitUntil(lambda: camera_source.asked == [-1.0], timeout=5000)
    finally:
        camera.stop()
    assert camera_source.asked == [-1.0, None]


def test_the_setting_turns_exposure_control_off(make_app: MakeApp, tmp_path: Path) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    cv2.imwrite(str(folder / "0.png"), np.full((120, 160, 3), 90, np.uint8))
    assert make_app(camera=str(folder)).app.exposure is not None  # on by default
    assert make_app(camera=str(folder), camera_exposure_control=False).app.exposure is None
    assert make_app(camera="none").app.exposure is None  # a scanner-only site has no camera to adjust
