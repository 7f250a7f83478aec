"""checkpoint-app decode: read the QR codes in images and videos with the scanner pipeline."""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path
from typing import Any

from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM, UsageError
from checkpoint_app.core.bounds import check_frame, check_regular, os_error_text

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("decode", help="read the QR codes in image and video files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="images (one result each) or videos")
    p.add_argument("--json", action="store_true", help="one JSON object per image, or per video frame with a code")
    p.add_argument("--budget-ms", type=float, default=None, metavar="MS",
                   help="time budget per frame (default: 250 for images, 30 for video frames, as live)")
    p.set_defaults(handler=run)


def run(a: argparse.Namespace) -> int:
    if a.budget_ms is not None and not a.budget_ms > 0:
        raise UsageError("--budget-ms must be a positive number of milliseconds")
    status = EXIT_OK
    for path in a.files:
        try:
            if path.suffix.lower() in IMAGE_SUFFIXES:
                _image(path, a)
            else:
                _video(path, a)
        except OSError as exc:
            sys.stderr.write(f"checkpoint-app decode: {path}: {os_error_text(exc)}\n")
            status = EXIT_PROBLEM
    return status


def _image(path: Path, a: argparse.Namespace) -> None:
    from checkpoint_app.core.scanning.images import IMAGE_BUDGET_MS, decode_image, load_image

    result = decode_image(load_image(path), a.budget_ms or IMAGE_BUDGET_MS)
    if a.json:
        _emit({"file": str(path), "codes": result.texts, "ms": round(result.ms, 2)})
    else:
        _human(str(path), result.codes)


def _video(path: Path, a: argparse.Namespace) -> None:
    import cv2

    from checkpoint_app.core.scanning.pipeline import ScanPipeline

    check_regular(path)  # a FIFO would hang the capture, a device feed it without end
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise OSError(errno.EINVAL, "not a readable image or video")
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps = fps if 0 < fps < 1000 else 25.0
    pipeline = ScanPipeline(budget_ms=a.budget_ms or 30.0)
    index = 0
    try:
        # The size the stream announces, before a frame is decoded; then each frame's own.
        check_frame(cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            check_frame(frame.shape[1], frame.shape[0])
            t = index / fps
            result = pipeline.decode(frame, t)
            if result.codes and a.json:
                _emit({"file": str(path), "frame": index, "t": round(t, 3), "codes": result.texts})
            elif result.codes:
                _human(f"{path} frame {index} (t={t:.2f} s)", result.codes)
            index += 1
    finally:
        cap.release()
    if index == 0:
        raise OSError(errno.EINVAL, "not a readable image or video")


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _human(where: str, codes: Any) -> None:
    if not codes:
        sys.stdout.write(f"{where}: no code\n")
    for c in codes:
        kind = "health code" if c.is_health_code else "not a health code"
        sys.stdout.write(f"{where}: {kind}: {c.text}\n")
