"""Read the QR codes in an image file (used by `verify --image` and `decode`).

Spec 4.4: the file must be a regular file, and the image at most 40 megapixels by its
header, before a pixel is decoded: a 48 KB PNG can announce 20000x20000 pixels (1.2 GB
decoded). Pillow reads the header (it decodes nothing on open); OpenCV decodes."""

from __future__ import annotations

import errno
import io
import re
import time
import warnings
from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.core.bounds import MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, RefusedFile, read_bounded
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.result import FrameResult

# A still image gets a generous budget: nobody is waiting for the next frame.
IMAGE_BUDGET_MS = 250.0


def _too_large(what: str) -> RefusedFile:
    return RefusedFile(errno.EFBIG, f"{what}, more than the {MAX_IMAGE_PIXELS // 1_000_000} megapixel bound")


def check_dimensions(data: bytes) -> None:
    """Refuse an image whose header announces more than MAX_IMAGE_PIXELS, or whose header
    Pillow cannot read (its size could not be bounded before decoding)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
        except Image.DecompressionBombError as exc:  # Pillow's own, higher bound: it names only the count
            count = re.search(r"\((\d+) pixels\)", str(exc))
            raise _too_large(f"{count.group(1)} pixels" if count else "too many pixels") from None
        except Exception:  # Pillow raises many types for headers it cannot read
            raise OSError(errno.EINVAL, "not a readable image") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_large(f"{width}x{height} pixels")


def load_image(path: Path) -> np.ndarray:
    """The BGR pixels of an image file, or OSError with a one-line reason (RefusedFile for a
    file that is not a regular file, or too large in bytes or pixels)."""
    data = read_bounded(path, MAX_IMAGE_FILE_BYTES)
    check_dimensions(data)
    # imdecode over imread: paths with non-ASCII characters work on every platform.
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise OSError(errno.EINVAL, "not a readable image")
    return image


def decode_image(image: np.ndarray, budget_ms: float = IMAGE_BUDGET_MS) -> FrameResult:
    """One still: a fresh pipeline, so no earlier image's tracking or fusion leaks in. Its
    budget (and the ms it reports) is this thread's CPU time: what a still reads must not
    depend on what else the machine is doing (under load 10 on two cores the bent stage of
    a folded printout was never reached in 250 ms of wall time); a busy machine is only slower."""
    return ScanPipeline(budget_ms=budget_ms, fuse=False, clock=time.thread_time).decode(image, 0.0)


def read_image_codes(path: Path) -> list[str]:
    return decode_image(load_image(path)).texts
