"""A site that reads codes with a USB or serial scanner only (camera `none`): where the camera
picture would be, the window showed a black box, which looks like a broken camera. Now it
shows a scanner's icon and what to do, large, in the guard's language; the status bar says
"Scanner only" without an alarm colour; an unplugged serial scanner says so there and in the
prompt, without sending the guard to a camera the site does not have. Real widgets offscreen,
a real pseudo-terminal as the scanner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from checkpoint_app.gui.style import BAD, VIEWFINDER, VISITOR_BLUE
from checkpoint_app.workers.values import CameraState
from tests.support.qt_harness import Harness
from tests.support.serial_sim import PtyDevice

MakeApp = Callable[..., Harness]
PROMPTS = {"zh_CN": "请将二维码对准扫码枪", "en": "Hold the code to the scanner"}
OFFLINE = {"zh_CN": "扫码枪离线：请联系IT，可人工登记（F2）", "en": "Scanner offline: call IT; manual entry (F2)"}


def _share(image: QImage, colour: str) -> float:
    """The share of a grid of pixels that have this colour."""
    want = QColor(colour).rgb()
    points = [(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)]
    return sum(image.pixel(x, y) == want for x, y in points) / len(points)


def _text_pixels(image: QImage) -> int:
    """White pixels (the icon's foot and the words) in the lower half of the prompt."""
    white = QColor("#ffffff").rgb()
    return sum(image.pixel(x, y) == white for x in range(0, image.width(), 2)
               for y in range(image.height() // 2, image.height(), 2))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("camera", ["none", "", "NONE "])
def test_the_preview_area_prompts_for_the_scanner(make_app: MakeApp, language: str, camera: str) -> None:
    h = make_app(camera=camera, language=language)
    preview = h.window.scan.preview
    h.qtbot.waitUntil(lambda: preview.prompt is not None, timeout=5000)
    assert preview.prompt == PROMPTS[language]
    image = preview.grab().toImage()
    assert image.width() > 300 and image.height() > 200
    assert _share(image, VIEWFINDER) < 0.01, "a black box where the camera picture would be"
    assert _share(image, VISITOR_BLUE) > 0.6 and _text_pixels(image) > 500
    bar = h.window.status
    assert bar.camera_state is CameraState.NONE and bar.camera.text() == {"zh_CN": "仅扫码枪", "en": "Scanner only"}[
        language]
    assert BAD not in bar.camera.styleSheet() and bar.devices.isHidden()


def test_the_prompt_follows_the_language_switch(make_app: MakeApp) -> None:
    h = make_app(language="zh_CN")
    preview = h.window.scan.preview
    h.qtbot.waitUntil(lambda: preview.prompt == PROMPTS["zh_CN"], timeout=5000)
    zh = preview.grab().toImage()
    h.app.set_language("en")
    assert preview.prompt == PROMPTS["en"]
    assert preview.grab().toImage() != zh  # painted again, in the other words


def test_a_camera_site_keeps_its_picture_area(make_app: MakeApp, tmp_path: Path) -> None:
    """Only a site without a camera gets the prompt: a camera that fails is a fault (red)."""
    h = make_app(camera=str(tmp_path / "no-such-camera.avi"))
    bar = h.window.status
    h.qtbot.waitUntil(lambda: bar.camera_state in (CameraState.FAILED, CameraState.RECONNECTING), timeout=15000)
    assert h.window.scan.preview.prompt is None


def test_an_unplugged_scanner_at_a_scanner_only_site(make_app: MakeApp, tmp_path: Path) -> None:
    device = PtyDevice(tmp_path / "ttyUSB-scanner")
    h = make_app(scanner_serial_port=device.path, language="zh_CN")
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    preview, bar = h.window.scan.preview, h.window.status
    h.qtbot.waitUntil(lambda: preview.prompt == PROMPTS["zh_CN"], timeout=5000)
    device.unplug()
    h.qtbot.waitUntil(lambda: not bar.devices.isHidden(), timeout=15000)
    assert bar.devices.text() == OFFLINE["zh_CN"] and "摄像头" not in bar.devices.text()  # no camera to turn to
    assert preview.prompt == OFFLINE["zh_CN"] and preview.alarm
    assert _share(preview.grab().toImage(), BAD) > 0.6
    h.app.set_language("en")
    assert bar.devices.text() == OFFLINE["en"] and preview.prompt == OFFLINE["en"]
    plugged = PtyDevice(tmp_path / "ttyUSB-scanner")  # plugged in again, at the same name
    for _ in range(30):  # a line a second until the driver has opened the port again and reads it
        plugged.send(b"NOT-A-HEALTH-CODE\r\n")
        try:
            h.qtbot.waitUntil(lambda: preview.prompt == PROMPTS["en"], timeout=1000)
            break
        except h.qtbot.TimeoutError:
            continue
    assert not preview.alarm and bar.devices.isHidden()
