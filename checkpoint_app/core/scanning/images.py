"""Read the QR codes in an image file (used by `verify --image` and `decode`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.result import FrameResult

# A still image gets a generous budget: nobody is waiting for the next frame.
IMAGE_BUDGET_MS = 250.0


def load_image(path: Path) -> np.ndarray:
    # imdecode over imread: paths with non-ASCII characters work on every platform.
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise OSError(f"cannot read {path}: {exc.strerror}") from None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise OSError(f"not a readable image: {path}")
    return image


def decode_image(image: np.ndarray, budget_ms: float = IMAGE_BUDGET_MS) -> FrameResult:
    """One still: a fresh pipeline, so no earlier image's tracking or fusion leaks in."""
    return ScanPipeline(budget_ms=budget_ms, fuse=False).decode(image, 0.0)


def read_image_codes(path: Path) -> list[str]:
    return decode_image(load_image(path)).texts
