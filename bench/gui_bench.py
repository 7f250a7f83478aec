"""The window under load: preview frame rate at 720p while decoding runs, and the time
from a code entering the picture to its decision on screen (p50, p95).

    .venv/bin/python bench/gui_bench.py [--seconds 90] [--json]

Runs `--demo` (the in-process authority, the 1280x720 demo video as the camera, the real
decode and store threads) offscreen, with a scripted guard who types 365 + Enter at each
temperature prompt and dismisses staff screens at once. "Entering the picture" is the
time the camera thread read the first video frame that shows the phone; "on screen" is
when the window rendered the decision (prompt or result) on the GUI thread."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.demo.folders import demo_folders
from checkpoint_app.demo.video import demo_video


def wait(ms: int) -> None:
    """Run the event loop for `ms`. Not QTest.qWait: in PySide6 it keeps the GIL while it
    sleeps, which starves the camera and decode threads (20 instead of 30 fps)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=90.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    qapp = QApplication(sys.argv[:1])
    settings_path, data_dir = demo_folders()
    video = demo_video(data_dir.parent / "video")  # made before the clock starts
    app = CheckpointApp(settings_path, data_dir, demo=True, camera=str(video.path))
    window = app.start()
    window.resize(1280, 800)
    window.show()
    assert app.camera is not None and app.decoder is not None
    app.camera.frame_log = []
    shown: list[tuple[float, float, str]] = []  # (t_frame, t_shown, what)

    def on_shown(t_frame: float, t_shown: float) -> None:
        st = app.machine.state
        shown.append((t_frame, t_shown, st.outcome.value if st.outcome else "?"))

    app.controller.decision_shown.connect(on_shown)

    def guard() -> None:  # a quick guard, so every code on the video gets its visit
        st = app.machine.state
        if st.phase is Phase.PROMPT and not window.prompt.keys:
            QTest.keyClicks(window.prompt, "365")
            QTest.keyClick(window.prompt, Qt.Key.Key_Return)
        elif st.phase is Phase.RESULT and app.controller.remaining_s() is None:
            QTest.keyClick(window.result, Qt.Key.Key_Return)

    timer = QTimer(interval=300)
    timer.timeout.connect(guard)
    timer.start()
    wait(1500)  # camera start-up
    painted0, decoded0, t0 = window.scan.preview.painted, app.decoder.frames, time.monotonic()
    frames0 = len(app.camera.frame_log)
    # The preview paints only while the scan screen is up; count its time separately.
    scan_time, last = 0.0, time.monotonic()
    end = t0 + a.seconds
    while time.monotonic() < end:
        wait(20)
        now = time.monotonic()
        if window.current_screen() is window.scan:
            scan_time += now - last
        last = now
    elapsed = time.monotonic() - t0
    painted = window.scan.preview.painted - painted0
    decoded = app.decoder.frames - decoded0
    camera_frames = len(app.camera.frame_log) - frames0
    log = list(app.camera.frame_log)
    timer.stop()
    app.shutdown()
    window.close()
    latencies = entry_latencies(log, shown, video.entries, video.frames)
    firsts = {t_frame: t_shown for t_frame, t_shown, _ in reversed(shown)}
    decode_to_screen = [t_shown - t_frame for t_frame, t_shown in firsts.items()]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seconds": round(elapsed, 1),
        "camera_fps": round(camera_frames / elapsed, 1),
        "preview_fps_while_scanning": round(painted / max(scan_time, 1e-9), 1),
        "decode_fps": round(decoded / elapsed, 1),
        "decisions": len(latencies),
        "entry_to_screen_ms_p50": round(pct(latencies, 50) * 1000) if latencies else None,
        "entry_to_screen_ms_p95": round(pct(latencies, 95) * 1000) if latencies else None,
        "entry_to_screen_ms_max": round(max(latencies) * 1000) if latencies else None,
        "frame_to_screen_ms_p50": round(pct(decode_to_screen, 50) * 1000) if decode_to_screen else None,
    }
    print(json.dumps(result) if a.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    qapp.quit()
    return 0


def entry_latencies(log: list[tuple[int, float]], shown: list[tuple[float, float, str]], entries: tuple[int, ...],
                    total: int) -> list[float]:
    """For each decision, the time since the last phone-entry frame before it."""
    entry_frames = set(entries)
    entry_times = [t for index, t in log if (index - 1) % total in entry_frames]
    out, seen = [], set()
    for t_frame, t_shown, _what in shown:
        if t_frame in seen:
            continue  # the same scan shown again (the prompt's result): not a new code
        seen.add(t_frame)
        before = [t for t in entry_times if t <= t_frame]
        if before and t_shown - before[-1] < 3.0:  # a re-read after a busy screen is not a first read
            out.append(t_shown - before[-1])
    return out


if __name__ == "__main__":
    sys.exit(main())
