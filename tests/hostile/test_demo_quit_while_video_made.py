"""`checkpoint-app --demo` stopped (SIGTERM, a closed laptop lid) while it makes its demo
video -- seconds of work in the camera thread on a first start. Before, the shutdown
waited 5 s for that thread, gave up, and left a truncated demo-<time>.avi that the next
starts took as recent enough for 12 h: a demo camera missing most of its people. Now the
process leaves within 2 s, the video is written under another name and renamed only when
whole, and the next start makes a whole one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2

from checkpoint_app.demo.video import _layout


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    log = tmp_path / "log" / "checkpoint.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(log.parent),
           "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache"), "CHECKPOINT_CONFIG_DIR": str(tmp_path / "config"),
           "CHECKPOINT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "checkpoint_app", "--demo", "--lang", "en"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc, log


def _wait_for(proc: subprocess.Popen[str], log: Path, text: str, since: int = 0) -> None:
    until = time.monotonic() + 90
    while not (log.exists() and text in log.read_text()[since:]):
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < until, f"no {text!r} in the log"
        time.sleep(0.02)


def _whole_videos(folder: Path) -> dict[str, bool]:
    """Each demo-<time>.avi a start would take, and whether it has every frame."""
    expected = _layout(Path("x")).frames
    found = {}
    for path in folder.glob("demo-*.avi"):
        if re.fullmatch(r"demo-\d+\.avi", path.name):
            cap = cv2.VideoCapture(str(path))
            frames = 0
            while cap.read()[0]:
                frames += 1
            cap.release()
            found[path.name] = frames == expected
    return found


def test_a_demo_stopped_while_it_makes_its_video_leaves_no_truncated_video(tmp_path: Path) -> None:
    proc, log = _start(tmp_path)
    try:
        _wait_for(proc, log, "camera starting")  # the camera thread now makes the video
        time.sleep(0.3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        gone = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    print(f"demo stopped while making its video: gone after {gone:.2f} s")
    assert proc.returncode == 0, err[-3000:]
    assert "demo video" not in log.read_text(), "the video was finished before the stop: no test"
    assert gone < 2.0
    videos = tmp_path / "cache" / "demo" / "video"
    assert all(_whole_videos(videos).values()), _whole_videos(videos)
    seen = len(log.read_text())
    proc, log = _start(tmp_path)  # the next start makes a whole video and runs the camera on it
    try:
        _wait_for(proc, log, "camera running", since=seen)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    assert list(_whole_videos(videos).values()) == [True]
