"""Frames over time: fusion recovers a code no single frame shows; tracking keeps a code's region."""

from __future__ import annotations

from functools import cache

import numpy as np

from bench.scan.generate import PAYLOADS
from bench.scan.scene import phone_frame
from bench.scan.video import FPS
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.stabilizer import Stabilizer


@cache
def dark_frames() -> list[np.ndarray]:
    """A dimmed phone in a dark room: fresh sensor noise in each frame buries the code. Noise of
    sigma 24 against a contrast of about 20: the noise reader (noisy.py) reads one frame at
    sigma 12-16, not this; the mean of three frames it reads."""
    base = phone_frame([PAYLOADS[6]], size=(640, 480), m=3.0, seed=4).astype(np.float32)
    rng = np.random.default_rng(0)
    return [np.clip(base * 0.1 + rng.normal(0, 24, base.shape), 0, 255).astype(np.uint8) for _ in range(8)]


def test_no_single_dark_frame_is_readable_even_with_time_to_spare() -> None:
    for frame in dark_frames():
        assert ScanPipeline(budget_ms=300, fuse=False).decode(frame, 0.0).codes == ()


def test_fusing_recent_frames_recovers_the_code() -> None:
    pipeline = ScanPipeline(budget_ms=300)
    reads = [pipeline.decode(frame, i / FPS).texts for i, frame in enumerate(dark_frames())]
    assert reads[:2] == [[], []]  # two frames are not enough light
    assert reads[2:] == [[PAYLOADS[6]]] * 6


def test_fusion_ignores_frames_of_another_scene() -> None:
    pipeline = ScanPipeline(budget_ms=300)
    rng = np.random.default_rng(3)
    for i in range(4):
        noise = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
        assert pipeline.decode(noise, i / FPS).codes == ()


def test_a_code_in_view_is_read_every_frame_and_decided_once() -> None:
    pipeline, stab = ScanPipeline(), Stabilizer()
    frame = phone_frame([PAYLOADS[5]], size=(640, 480), m=3.0)
    decisions = []
    for i in range(10):
        result = pipeline.decode(frame, i / FPS)
        assert result.texts == [PAYLOADS[5]]
        decisions += stab.feed(result.codes, i / FPS)
    assert [d.text for d in decisions] == [PAYLOADS[5]]


def test_a_code_the_older_frames_showed_is_not_read_in_a_frame_of_another() -> None:
    # Two phones shown in turn at one spot (or a screen that changed its code): the frames
    # align as one picture, and their mean still shows the first code when the second is up.
    first, second = (phone_frame([PAYLOADS[k]], size=(640, 480), m=3.0, seed=4).astype(np.float32) for k in (6, 5))
    rng = np.random.default_rng(1)
    pipeline = ScanPipeline(budget_ms=300)
    reads = []
    for i, base in enumerate([first] * 6 + [second] * 6):
        frame = np.clip(base * 0.1 + rng.normal(0, 24, base.shape), 0, 255).astype(np.uint8)
        reads.append(pipeline.decode(frame, i / FPS).texts)
    assert reads[2:6] == [[PAYLOADS[6]]] * 4
    assert all(PAYLOADS[6] not in texts for texts in reads[6:]), reads[6:]
    assert reads[-1] == [PAYLOADS[5]]
