"""Exposure control for phone screens: the controller's decisions, the UVC side's property
values (a stand-in VideoCapture: no webcam exists here), a video file that has no exposure,
and a simulated camera with its own auto exposure, where control reads codes sooner."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan.camera_sim import Scene, SimulatedCamera, screen_scene
from bench.scan.exposure_video import time_to_read
from checkpoint_app.core.scanning.exposure import (
    AUTO,
    Evidence,
    ExposureController,
    ExposureLink,
    ExposureRequest,
    RegionLevels,
    burnt_screens,
    evidence,
    levels,
)
from checkpoint_app.hardware.exposure import UvcExposure, apply
from checkpoint_app.hardware.reconnect import ReconnectingSource
from checkpoint_app.hardware.sources import CaptureSource

BURNT = RegionLevels(clipped=0.6, high=255.0, low=120.0)
DROWNED = RegionLevels(clipped=0.0, high=80.0, low=45.0)
DARK_OBJECT = RegionLevels(clipped=0.0, high=60.0, low=0.0)
FINE = RegionLevels(clipped=0.0, high=230.0, low=25.0)


def run(ctl: ExposureController, frames: list[Evidence], fps: float = 15.0) -> list[ExposureRequest | None]:
    return [ctl.update(e, i / fps) for i, e in enumerate(frames)]


def test_a_burnt_code_gets_shorter_exposures_one_step_per_settled_frame_pair() -> None:
    reqs = run(ExposureController(), [Evidence(False, (BURNT,), 60.0)] * 9)
    asked = [r for r in reqs if r is not None]
    assert reqs[0] is None  # one frame is not enough: confirm first
    assert [r.stops for r in asked] == [-1.0, -2.0, -3.0, -4.0]
    assert all(not r.auto for r in asked)


def test_reading_the_code_gives_the_camera_its_exposure_back_and_waits_before_trying_again() -> None:
    ctl = ExposureController()
    reqs = run(ctl, [Evidence(False, (BURNT,), 60.0)] * 3 + [Evidence(True, (), 0.0)])
    assert reqs[-1] == AUTO and not ctl.manual
    # the same phone, still in view after it was read: left alone during the cooldown
    later = [ctl.update(Evidence(False, (BURNT,), 60.0), 0.3 + i / 15) for i in range(10)]
    assert later == [None] * 10


def test_a_code_that_leaves_releases_the_camera() -> None:
    ctl = ExposureController(gone_frames=4)
    reqs = run(ctl, [Evidence(False, (BURNT,), 60.0)] * 3 + [Evidence(False, (), 60.0)] * 4)
    assert reqs[-1] == AUTO and reqs[-2] is None


def test_a_lamp_that_never_reads_is_given_up_on_for_a_long_while() -> None:
    ctl = ExposureController(give_up_s=1.0, after_give_up_s=30.0)
    reqs = run(ctl, [Evidence(False, (BURNT,), 60.0)] * 40)
    assert AUTO in reqs
    after = reqs[reqs.index(AUTO) + 1:]
    assert after and all(r is None for r in after)


def test_a_drowned_screen_in_a_bright_scene_gets_longer_exposures_a_dark_object_does_not() -> None:
    up = [r for r in run(ExposureController(), [Evidence(False, (DROWNED,), 125.0)] * 5) if r]
    assert up and up[0].stops == 1.0
    assert run(ExposureController(), [Evidence(False, (DARK_OBJECT,), 125.0)] * 8) == [None] * 8
    assert run(ExposureController(), [Evidence(False, (DROWNED,), 60.0)] * 8) == [None] * 8  # a dim room
    assert run(ExposureController(), [Evidence(False, (FINE,), 125.0)] * 8) == [None] * 8


def test_steps_stop_at_the_end_of_the_range() -> None:
    reqs = run(ExposureController(darkest=-2.0), [Evidence(False, (BURNT,), 60.0)] * 20)
    assert [r.stops for r in reqs if r is not None] == [-1.0, -2.0]


def test_levels_and_burnt_screens_measure_what_they_say() -> None:
    gray = np.full((480, 640), 40, np.uint8)
    gray[100:300, 200:360] = 255  # a burnt screen ...
    for r in range(150, 250, 16):  # ... with the remains of its black modules
        for c in range(230, 330, 16):
            gray[r:r + 5, c:c + 5] = 170
    gray[20:60, 20:60] = 255  # and a lamp: no holes
    found = burnt_screens(gray)
    assert len(found) == 1 and found[0].clipped > 0.9
    region = levels(gray, ((200.0, 100.0), (360.0, 100.0), (360.0, 300.0), (200.0, 300.0)))
    assert region.high == 255 and region.clipped > 0.8
    assert evidence(gray, True, ()).read and evidence(gray, False, ()).unread == found


class Capture:
    """Stands in for cv2.VideoCapture of a UVC camera (no /dev/video* exists here): it keeps
    the properties it was given, answers get(), reports a backend and gives grey frames."""

    def __init__(self, backend: str, exposure: float, accepts: bool = True) -> None:
        self.backend, self.accepts = backend, accepts
        self.props: dict[int, float] = {cv2.CAP_PROP_EXPOSURE: exposure, cv2.CAP_PROP_AUTO_EXPOSURE: 3.0,
                                        cv2.CAP_PROP_FRAME_WIDTH: 160.0, cv2.CAP_PROP_FRAME_HEIGHT: 120.0}
        self.calls: list[tuple[int, float]] = []

    def getBackendName(self) -> str:
        return self.backend

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray]:
        return True, np.full((120, 160, 3), 128, np.uint8)

    def release(self) -> None:
        pass

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def set(self, prop: int, value: float) -> bool:
        self.calls.append((prop, value))
        if self.accepts:
            self.props[prop] = value
        return self.accepts


def test_uvc_exposure_in_v4l2_units_and_back_to_auto() -> None:
    cap = Capture("V4L2", 156.0)
    control = UvcExposure.probe(cap)  # type: ignore[arg-type]
    assert control is not None and cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 3.0  # probing leaves auto on
    assert apply(control, ExposureRequest(False, -2.0))
    assert cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 1.0 and cap.props[cv2.CAP_PROP_EXPOSURE] == 39.0
    assert apply(control, ExposureRequest(False, -3.0)) and cap.props[cv2.CAP_PROP_EXPOSURE] == 19.5
    assert apply(control, AUTO) and cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 3.0


def test_uvc_exposure_in_log2_seconds_on_windows_backends() -> None:
    cap = Capture("DSHOW", -6.0)
    control = UvcExposure.probe(cap)  # type: ignore[arg-type]
    assert control is not None and apply(control, ExposureRequest(False, -1.0))
    assert cap.props[cv2.CAP_PROP_EXPOSURE] == -7.0 and cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 0.25


def test_a_camera_that_refuses_manual_exposure_or_an_unknown_backend_has_no_control() -> None:
    assert UvcExposure.probe(Capture("V4L2", 156.0, accepts=False)) is None  # type: ignore[arg-type]
    assert UvcExposure.probe(Capture("GSTREAMER", 156.0)) is None  # type: ignore[arg-type]
    assert apply(None, ExposureRequest(False, -1.0)) is False


def test_a_video_file_as_the_camera_has_no_exposure_to_control(tmp_path: Path) -> None:
    path = tmp_path / "camera.avi"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (160, 120))
    for _ in range(3):
        out.write(np.full((120, 160, 3), 128, np.uint8))
    out.release()
    source = ReconnectingSource(CaptureSource(str(path)), blocking=False)
    assert source.open() and source.exposure_control() is None
    link = ExposureLink()
    for i in range(6):  # whatever the decoder asks for goes nowhere
        link.after_frame(np.full((120, 160), 255, np.uint8), False, (BURNT,), i / 15)
    request = link.take()
    assert request is not None and apply(source.exposure_control(), request) is False
    assert source.read() is not None
    source.close()


def exposure_calls(cap: Capture) -> list[tuple[int, float]]:
    return [c for c in cap.calls if c[0] in (cv2.CAP_PROP_AUTO_EXPOSURE, cv2.CAP_PROP_EXPOSURE)]


def webcam(monkeypatch: pytest.MonkeyPatch, cap: Capture) -> list[int]:
    """cv2.VideoCapture(index) opens `cap`; returns the indexes opened."""
    opened: list[int] = []

    def open_camera(index: int) -> Capture:
        opened.append(index)
        return cap

    monkeypatch.setattr(cv2, "VideoCapture", open_camera)
    return opened


def test_a_webcam_is_asked_about_manual_exposure_only_when_the_decoder_first_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cap = Capture("V4L2", 100.0)
    assert webcam(monkeypatch, cap) == []
    source = ReconnectingSource(CaptureSource(0), blocking=False)
    assert source.open() and source.read() is not None
    assert exposure_calls(cap) == []  # exposure control off: the camera is never touched
    control = source.exposure_control()
    assert control is not None and source.exposure_control() is control  # probed once per open
    assert apply(control, ExposureRequest(False, -1.0)) and cap.props[cv2.CAP_PROP_EXPOSURE] == 50.0
    assert apply(source.exposure_control(), AUTO) and cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 3.0
    source.close()
    assert source.exposure_control() is None  # a closed camera has no control


def test_a_webcam_that_refuses_manual_exposure_is_asked_once_and_left_on_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    cap = Capture("V4L2", 100.0, accepts=False)
    webcam(monkeypatch, cap)
    source = CaptureSource(0)
    assert source.open()
    assert source.exposure_control() is None and source.exposure_control() is None
    assert exposure_calls(cap) == [(cv2.CAP_PROP_AUTO_EXPOSURE, 1.0)]


def test_an_exposure_fixed_in_the_options_is_not_controlled(monkeypatch: pytest.MonkeyPatch) -> None:
    cap = Capture("V4L2", 100.0)
    webcam(monkeypatch, cap)
    source = CaptureSource(0, exposure=80.0)
    assert source.open() and source.exposure_control() is None
    assert cap.props[cv2.CAP_PROP_EXPOSURE] == 80.0 and cap.props[cv2.CAP_PROP_AUTO_EXPOSURE] == 1.0


@cache
def scene(kind: str, index: int) -> Scene:
    return screen_scene(kind, index, frames=40, size=(960, 540))


@pytest.mark.parametrize(("kind", "index"), [("bright", 0), ("dim", 1)])
def test_the_simulated_camera_reads_sooner_with_exposure_control(kind: str, index: int) -> None:
    without, _ = time_to_read(scene(kind, index), control=False, seed=index)
    with_control, released = time_to_read(scene(kind, index), control=True, seed=index)
    assert with_control is not None and released  # read, and the camera back on auto by the end
    assert without is None or with_control < without


def test_a_simulated_camera_keeps_its_own_exposure_without_a_code() -> None:
    # a bright, textured scene and nothing to read: the controller never asks for anything
    cam = SimulatedCamera(scene("dim", 2), seed=2)
    link = ExposureLink()
    for i in range(3):  # only the frames before the phone enters
        frame = cam.read()
        assert frame is not None
        link.after_frame(frame, False, (), i / 15)
    assert link.take() is None and cam.manual_stops is None
