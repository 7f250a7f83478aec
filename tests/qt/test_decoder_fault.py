"""A decoder that fails on every frame: the preview shows, nothing is read. It was a camera
driver handing over 16-bit frames; the pipeline now reads every frame type a camera gives
(tests/unit/test_scan_pipeline.py::test_odd_frames_give_a_result_never_an_error), so what is
left is a bug in a decoding library, injected here as an exception from the pipeline.
Before, each frame's failure was logged with a traceback -- 30 a second -- and the guard
was told nothing. Now the first failure is logged with its traceback, the rest counted;
after FAILED_FRAMES in a row the status bar says codes cannot be read (use manual entry);
it clears when a frame decodes again; and the other workers go on (a code from a scanner
still starts a visit). The real decode thread and pipeline, in a real window."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.result import FrameResult
from checkpoint_app.workers.decode_worker import FAILED_FRAMES
from checkpoint_app.workers.frames import Frame
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def _feed(h: Harness, image: np.ndarray) -> QTimer:
    """One frame every 20 ms into the decoder's mailbox, as the camera thread does."""
    decoder = h.app.decoder
    assert decoder is not None
    index = [0]

    def put() -> None:
        index[0] += 1
        decoder._box.put(Frame(image, time.monotonic(), index[0]))

    timer = QTimer()
    timer.timeout.connect(put)
    timer.start(20)
    return timer


def _failing(_pipeline: ScanPipeline, _frame: np.ndarray, _t: float) -> FrameResult:
    raise RuntimeError("a decoding library's bug, on every frame")


def test_a_decoder_failing_on_every_frame_is_shown_to_the_guard(make_app: MakeApp, caplog: pytest.LogCaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO, logger="checkpoint.decode")
    h = make_app()
    bar = h.window.status
    monkeypatch.setattr(ScanPipeline, "decode", _failing)
    feeding = _feed(h, np.full((480, 640, 3), 128, np.uint8))
    try:
        h.qtbot.waitUntil(lambda: "decoder" in bar.device_problems, timeout=10_000)
        assert bar.devices.isVisible() and "无法读码：请人工登记" in bar.devices.text()
        h.qtbot.wait(500)  # more failed frames: no more tracebacks
        failures = [r for r in caplog.records if r.name == "checkpoint.decode" and r.levelno >= logging.ERROR]
        assert len(failures) == 1 and failures[0].exc_info is not None, [r.getMessage() for r in failures]
        h.show_code("green")  # the store, the visit and the window go on
        h.wait_screen("prompt")
    finally:
        feeding.stop()
    monkeypatch.undo()  # fixed
    feeding = _feed(h, np.full((480, 640, 3), 128, np.uint8))
    try:
        h.qtbot.waitUntil(lambda: "decoder" not in bar.device_problems, timeout=10_000)
        assert not bar.devices.isVisible()
    finally:
        feeding.stop()
    assert FAILED_FRAMES > 1
