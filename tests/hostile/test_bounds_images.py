"""Spec 4.4 for pictures: an image over 40 megapixels is refused from its header before a
pixel is decoded, a video over 16 megapixels a frame before its first frame, and a FIFO or
a folder before it is opened. The commands run as child processes under a memory limit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from checkpoint_app.core.bounds import RefusedFile
from checkpoint_app.core.scanning.images import check_dimensions, load_image
from checkpoint_app.hardware.sources import CaptureSource, ImageFolderSource
from tests.support.bombs import mjpeg_stream, png_bomb
from tests.support.measure import Measured, cli, run_measured
from tests.support.signed_docs import DIST_PUB, genuine_documents

# Importing OpenCV and numpy takes about 90 MB before any picture; a bomb would take gigabytes.
RSS_BOUND_MB = 250


def _bounded(run: Measured, exit_code: int, line: str, seconds: float = 10) -> None:
    assert not run.killed, "it hung"
    assert run.error_lines == [line]
    assert run.returncode == exit_code
    assert run.seconds < seconds
    assert run.max_rss_mb < RSS_BOUND_MB


@pytest.fixture(scope="module")
def big_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mjpeg_stream(tmp_path_factory.mktemp("video") / "big.mjpeg", [(16000, 16000)])


@pytest.mark.parametrize(("width", "height", "complete"), [(20000, 20000, True), (65535, 16384, False),
                                                         (10000, 8000, False)],
                         ids=["20000x20000", "65535x16384", "10000x8000"])
def test_decode_refuses_a_png_bomb_from_its_header(tmp_path: Path, width: int, height: int, complete: bool) -> None:
    """Today: a 48 KB PNG of 20000x20000 took 3.2 GB and 18 s; 65535x16384 took 8.5 GB."""
    bomb = png_bomb(tmp_path / "bomb.png", width, height, complete=complete)
    assert bomb.stat().st_size < 1 << 20
    run = run_measured(cli("decode", str(bomb)), timeout_s=60, memory_limit_mb=2500)
    # Pillow's own bomb check (over 179 megapixels) names the count; below it, the size.
    size = f"{width * height} pixels" if width * height > 2 * 89_478_485 else f"{width}x{height} pixels"
    _bounded(run, 1, f"checkpoint-app decode: {bomb}: {size}, more than the 40 megapixel bound")


def test_verify_refuses_a_png_bomb(tmp_path: Path) -> None:
    docs = genuine_documents(tmp_path, int(time.time()))
    (tmp_path / "t.cose").write_bytes(docs.trust_list)
    (tmp_path / "p.cose").write_bytes(docs.policy)
    bomb = png_bomb(tmp_path / "bomb.png", 20000, 20000)
    run = run_measured(cli("verify", "--trust-list", str(tmp_path / "t.cose"), "--policy", str(tmp_path / "p.cose"),
                           "--root-key", str(DIST_PUB), "--image", str(bomb)), timeout_s=60, memory_limit_mb=2500)
    _bounded(run, 2, f"checkpoint-app verify: error: cannot read image {bomb}: "
                     "400000000 pixels, more than the 40 megapixel bound")


@pytest.mark.parametrize("name", ["fifo.png", "fifo.avi"])
def test_decode_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path, name: str) -> None:
    """Today: `decode fifo.png` hangs."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    run = run_measured(cli("decode", str(fifo)), timeout_s=30)
    _bounded(run, 1, f"checkpoint-app decode: {fifo}: a FIFO, not a regular file")


@pytest.mark.parametrize("kind", ["directory", "FIFO"])
def test_verify_image_says_what_the_path_is(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "scan.png"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    docs = genuine_documents(tmp_path, int(time.time()))
    (tmp_path / "t.cose").write_bytes(docs.trust_list)
    (tmp_path / "p.cose").write_bytes(docs.policy)
    run = run_measured(cli("verify", "--trust-list", str(tmp_path / "t.cose"), "--policy", str(tmp_path / "p.cose"),
                           "--root-key", str(DIST_PUB), "--image", str(target)), timeout_s=30)
    _bounded(run, 2, f"checkpoint-app verify: error: cannot read image {target}: a {kind}, not a regular file")


def test_decode_refuses_a_16000x16000_video_before_its_first_frame(big_video: Path) -> None:
    """Today: one 16000x16000 MJPEG frame took 4.2 GB."""
    run = run_measured(cli("decode", str(big_video)), timeout_s=60, memory_limit_mb=2500)
    _bounded(run, 1, f"checkpoint-app decode: {big_video}: 16000x16000 video frames, more than the 16 megapixel bound")


def test_the_camera_source_refuses_a_video_over_the_frame_bound(big_video: Path) -> None:
    source = CaptureSource(str(big_video))
    start = time.monotonic()
    assert source.open() is False  # refused from the stream's size: decoding a frame takes seconds
    assert time.monotonic() - start < 2
    assert source.read() is None


def test_an_image_folder_camera_skips_a_bomb(tmp_path: Path) -> None:
    png_bomb(tmp_path / "a-bomb.png", 20000, 20000, complete=False)
    cv2.imwrite(str(tmp_path / "b-fine.png"), np.full((48, 64, 3), 200, np.uint8))
    source = ImageFolderSource(tmp_path, loop=False)
    assert source.open()
    frame = source.read()
    assert frame is not None and frame.shape == (48, 64, 3)


def test_the_pixel_bound_is_inclusive(tmp_path: Path) -> None:
    at_bound = png_bomb(tmp_path / "at.png", 8000, 5000, complete=False).read_bytes()
    check_dimensions(at_bound)  # 40,000,000 pixels: allowed
    over = png_bomb(tmp_path / "over.png", 40_000_001, 1, complete=False)
    with pytest.raises(RefusedFile, match="40000001x1 pixels, more than the 40 megapixel bound"):
        load_image(over)
