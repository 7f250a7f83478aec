"""Frame sources on real files and a real MJPEG-over-HTTP stream served from a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import pytest

from checkpoint_app.hardware.sources import (
    CaptureSource,
    FrameSource,
    ImageFolderSource,
    ReconnectingSource,
    ReconnectState,
    open_source,
)
from tests.support.clocks import FakeClock


def numbered_frame(i: int, size: tuple[int, int] = (160, 120)) -> np.ndarray:
    """A frame whose mean brightness encodes i, so a test can tell frames apart after JPEG."""
    return np.full((size[1], size[0], 3), 20 + 20 * i, np.uint8)


def frame_number(frame: np.ndarray) -> int:
    return round((float(frame.mean()) - 20) / 20)


def write_video(path: Path, n: int, fps: float = 15.0) -> Path:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (160, 120))
    assert out.isOpened()
    for i in range(n):
        out.write(numbered_frame(i))
    out.release()
    return path


def test_video_file_source_reads_every_frame_then_none(tmp_path: Path) -> None:
    src = open_source(str(write_video(tmp_path / "cam.avi", 5)))
    assert isinstance(src, FrameSource) and src.open()
    assert src.fps == pytest.approx(15.0)
    frames = [src.read() for _ in range(6)]
    assert [frame_number(f) for f in frames[:5] if f is not None] == [0, 1, 2, 3, 4]
    assert frames[5] is None
    src.close()


def test_looping_video_file_starts_over(tmp_path: Path) -> None:
    src = open_source(str(write_video(tmp_path / "cam.avi", 3)), loop=True)
    assert src.open()
    assert [frame_number(src.read()) for _ in range(7)] == [0, 1, 2, 0, 1, 2, 0]  # type: ignore[arg-type]


def test_image_folder_source_in_name_order_and_loops(tmp_path: Path) -> None:
    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"frame{i:02d}.png"), numbered_frame(i))
    (tmp_path / "notes.txt").write_text("not an image")
    src = open_source(str(tmp_path))
    assert isinstance(src, ImageFolderSource) and src.open() and src.fps
    assert [frame_number(src.read()) for _ in range(4)] == [0, 1, 2, 0]  # type: ignore[arg-type]
    assert not ImageFolderSource(tmp_path / "missing").open()


def test_a_folder_of_only_unreadable_images_returns_none_instead_of_spinning(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"broken{i}.png").write_bytes(b"not a png")
    src = ImageFolderSource(tmp_path)
    assert src.open()
    assert src.read() is None and src.read() is None


def test_specs_choose_the_right_source(tmp_path: Path) -> None:
    cam = open_source("0", width=1280, height=720)
    assert isinstance(cam, CaptureSource) and cam.target == 0 and cam.describe() == "camera 0"
    assert not cam.open()  # no webcam on this machine: reported, not raised
    stream = open_source("rtsp://admin:secret@10.0.0.5/live")
    assert isinstance(stream, CaptureSource) and "secret" not in stream.describe()


def test_a_file_that_disappears_and_reappears_is_reopened_with_backoff(tmp_path: Path) -> None:
    path = write_video(tmp_path / "cam.avi", 3)
    clock, states = FakeClock(100.0), []
    src = ReconnectingSource(open_source(str(path)), initial_backoff_s=0.5, max_backoff_s=2.0, clock=clock,
                             sleep=clock.sleep, on_state=lambda s, _m: states.append(s))
    assert src.open() and src.state == ReconnectState.OPEN
    assert [frame_number(src.read()) for _ in range(3)] == [0, 1, 2]  # type: ignore[arg-type]
    path.rename(tmp_path / "away.avi")
    assert src.read() is None and src.state == ReconnectState.LOST  # end of file: lost, will reopen
    for _ in range(3):
        assert src.read() is None  # the file is gone: each attempt waits longer
    assert clock.sleeps == [0.5, 1.0, 2.0]
    (tmp_path / "away.avi").rename(path)
    assert frame_number(src.read()) == 0  # type: ignore[arg-type]
    assert src.state == ReconnectState.OPEN and src.backoff_s == 0.5
    assert states[:3] == [ReconnectState.RECONNECTING, ReconnectState.OPEN, ReconnectState.LOST]
    assert states[-1] is ReconnectState.OPEN


def test_non_blocking_mode_returns_at_once_while_waiting(tmp_path: Path) -> None:
    clock = FakeClock(100.0)
    src = ReconnectingSource(open_source(str(tmp_path / "none.avi")), blocking=False, clock=clock,
                             sleep=clock.sleep)
    assert not src.open() and src.state == ReconnectState.LOST
    assert src.read() is None and clock.sleeps == []
    clock.now += 1.0
    assert src.read() is None and src.failures == 2


class MjpegServer:
    """A network camera: multipart MJPEG over HTTP; `drop()` cuts the stream, `up` says whether it serves."""

    def __init__(self, frames: int = 1000) -> None:
        self.up = threading.Event()
        self.up.set()
        self.cut = threading.Event()
        jpg = cv2.imencode(".jpg", numbered_frame(3))[1].tobytes()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not outer.up.is_set():
                    self.send_error(503)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                for _ in range(frames):
                    if outer.cut.wait(0.01):
                        return
                    part = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpg)
                    self.wfile.write(part + jpg + b"\r\n")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/video.mjpg"

    def close(self) -> None:
        self.cut.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def mjpeg() -> Iterator[MjpegServer]:
    server = MjpegServer()
    yield server
    server.close()


def test_a_stream_that_drops_and_comes_back(mjpeg: MjpegServer) -> None:
    clock = FakeClock(100.0)
    src = ReconnectingSource(open_source(mjpeg.url), clock=clock, sleep=clock.sleep)
    assert src.open() and src.state == ReconnectState.OPEN
    assert frame_number(src.read()) == 3  # type: ignore[arg-type]
    mjpeg.up.clear()  # the camera goes away: the open connection ends, new ones are refused
    mjpeg.cut.set()
    frames = [src.read() for _ in range(40)]
    assert frames[-1] is None and src.state == ReconnectState.LOST and src.failures >= 2
    mjpeg.cut.clear()
    mjpeg.up.set()
    frame = next((f for f in (src.read() for _ in range(5)) if f is not None), None)
    assert frame is not None and frame_number(frame) == 3 and src.state == ReconnectState.OPEN
