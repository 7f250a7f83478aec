"""The values that cross threads on the way from the camera: frozen, with owned pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QImage


@dataclass(frozen=True, slots=True)
class Frame:
    """One camera frame. `image` is BGR, owned by this frame and read-only, so the
    decoder can use it while the camera already fills its next buffer."""

    image: np.ndarray
    t: float  # time.monotonic() when it was read
    index: int


@dataclass(frozen=True, slots=True)
class PreviewFrame:
    """The frame as a QImage for the screen (QImage, unlike QPixmap, may be made off the GUI thread)."""

    image: QImage
    t: float
    index: int


def to_qimage(bgr: np.ndarray) -> QImage:
    h, w = bgr.shape[:2]
    return QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888).copy()


def owned(image: np.ndarray) -> np.ndarray:
    copy = np.ascontiguousarray(image).copy()
    copy.flags.writeable = False
    return copy
