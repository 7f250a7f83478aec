"""Time to read a phone screen under the webcam's own exposure, with and without exposure control.

    taskset -c 1 python -m bench.scan.exposure_video [--clips N]

Each clip is a simulated camera (bench/scan/camera_sim.py) watching a phone slide in and be
held for four seconds: 'bright' is a screen at full brightness in a dim entrance, 'dim' a
dimmed screen in sunlight. Every frame is decoded (ScanPipeline, 30 ms budget in CPU time);
with control on, the decode side's ExposureController asks the camera for manual exposure
through the same ExposureControl interface a UVC camera gets (hardware/exposure.py) and the
camera applies a request one frame later, as real ones do."""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from bench.scan.camera_sim import FPS, Scene, SimulatedCamera, screen_scene
from checkpoint_app.core.scanning.exposure import ExposureController, evidence
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.preprocess import to_gray
from checkpoint_app.hardware.exposure import apply

KINDS = ("bright", "dim")


def time_to_read(scene: Scene, control: bool, seed: int) -> tuple[float | None, bool]:
    """(seconds from the code's full appearance to its payload, or None; whether the camera
    was back on its own exposure at the end of the clip)."""
    read_at, _, auto_at_end = run_clip(scene, control, seed)
    return read_at, auto_at_end


def run_clip(scene: Scene, control: bool, seed: int) -> tuple[float | None, int, bool]:
    """(time to the payload or None, frames taken under a requested exposure, camera back on
    its own exposure at the end)."""
    camera = SimulatedCamera(scene, seed=seed)
    pipeline = ScanPipeline(clock=time.thread_time)
    pipeline.warm_up()
    controller = ExposureController() if control else None
    read_at, manual = None, 0
    for i in range(len(scene.frames)):
        frame = camera.read()
        if frame is None:
            break
        t = i / FPS
        result = pipeline.decode(frame, t)
        if controller is not None:
            request = controller.update(evidence(to_gray(frame), bool(result.codes), result.unread), t)
            if request is not None:
                apply(camera, request)
        manual += camera.manual_stops is not None
        if read_at is None and scene.text and scene.text in result.texts and i >= scene.first:
            read_at = (i - scene.first) / FPS
    return read_at, manual, camera.manual_stops is None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clips", type=int, default=10, help="clips per kind")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    print("| scene | clips | without control: read / median s (p90) | with control: read / median s (p90) "
          "| back on auto exposure at the end |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        rows: dict[bool, list[float | None]] = {False: [], True: []}
        released = 0
        for i in range(args.clips):
            scene = screen_scene(kind, i)
            for control in (False, True):
                latency, auto_at_end = time_to_read(scene, control, seed=i)
                rows[control].append(latency)
                released += control and auto_at_end
        print(f"| {kind} | {args.clips} | {_cell(rows[False])} | {_cell(rows[True])} | {released}/{args.clips} |")
    # the same rooms with a phone that shows no code: the camera should be left alone
    for kind in KINDS:
        frames = manual_frames = 0
        for i in range(args.clips // 2 or 1):
            scene = screen_scene(kind, 100 + i, code=False)
            _, manual, _ = run_clip(scene, True, seed=i)
            frames, manual_frames = frames + len(scene.frames), manual_frames + manual
        print(f"\nno code ({kind} room, {args.clips // 2 or 1} clips): {manual_frames} of {frames} frames "
              "under a requested exposure")


def _cell(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return f"0/{len(values)} / -"
    # a clip never read counts as the clip's length for the median: it is at least that late
    full = [v if v is not None else float("inf") for v in values]
    med, p90 = np.median(full), np.percentile(full, 90)
    return f"{len(got)}/{len(values)} / {_s(med)} ({_s(p90)})"


def _s(x: float) -> str:
    return "never" if not np.isfinite(x) else f"{x:.2f}"


if __name__ == "__main__":
    main()
