"""Frames too small to hold any code -- a 2x2 picture, a 640x2 strip, a camera set to a
degenerate mode, a video of such frames. The pipeline raised an OpenCV assertion on each
(its quarter-size texture map of one pixel): `checkpoint-app decode` printed a traceback,
and the window's decoder logged one for every frame, 10-30 a second, while the guard saw
nothing. Now such a frame simply holds no code."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from checkpoint_app.cli import main
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
SHAPES = [(1, 1), (2, 2), (2, 640), (480, 3), (20, 20)]


@pytest.mark.parametrize(("h", "w"), SHAPES)
def test_decode_reads_no_code_in_a_degenerate_image(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    h: int, w: int) -> None:
    path = tmp_path / f"{w}x{h}.png"
    assert cv2.imwrite(str(path), np.full((h, w, 3), 128, np.uint8))
    assert main(["decode", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and str(path) in out


def test_decode_reads_no_code_in_a_video_of_2x2_frames(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _video(tmp_path / "tiny.avi", 2, 2)
    assert main(["decode", "--json", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == ""  # one line per frame with a code: none


def test_a_camera_of_2x2_frames_is_decoded_without_an_error(make_app: MakeApp, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="checkpoint.decode")
    h = make_app(camera=str(_video(tmp_path / "tiny.avi", 2, 2)))
    decoder = h.app.decoder
    assert decoder is not None
    h.qtbot.waitUntil(lambda: decoder.frames >= 20, timeout=15_000)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def _video(path: Path, w: int, h: int) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (w, h))
    for i in range(30):
        writer.write(np.full((h, w, 3), 4 * i, np.uint8))
    writer.release()
    return path
