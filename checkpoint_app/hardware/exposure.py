"""Manual exposure for a webcam, in the relative terms core/scanning/exposure.py asks in.

UVC cameras expose it through OpenCV's CAP_PROP_AUTO_EXPOSURE and CAP_PROP_EXPOSURE, with
backend-specific values: V4L2 (Linux) takes 1 for manual and 3 for the camera's own
exposure, and the exposure in units of 100 µs; DirectShow and Media Foundation (Windows)
take 0.25 / 0.75 and the exposure as log2 seconds. A camera that refuses the switch, or a
backend not listed, has no control (None): the controller then never asks."""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

import cv2

from checkpoint_app.core.scanning.exposure import ExposureRequest

log = logging.getLogger("checkpoint.camera")


@runtime_checkable
class ExposureControl(Protocol):
    def manual(self, stops: float) -> bool:
        """Hold an exposure `stops` (log2) from the one the camera had when control began."""
        ...

    def auto(self) -> bool:
        """Give the camera its own exposure back."""
        ...


# backend -> (manual value, auto value, exposure units are log2 seconds, range of the exposure value)
_BACKENDS = {
    "V4L2": (1.0, 3.0, False, (1.0, 5000.0)),
    "DSHOW": (0.25, 0.75, True, (-13.0, 0.0)),
    "MSMF": (0.25, 0.75, True, (-13.0, 0.0)),
}


class UvcExposure:
    """ExposureControl over an open cv2.VideoCapture of a camera."""

    def __init__(self, cap: cv2.VideoCapture, backend: str) -> None:
        self._cap = cap
        self._manual, self._auto, self._log2, self._range = _BACKENDS[backend]
        self._base: float | None = None  # the exposure when control began

    @classmethod
    def probe(cls, cap: cv2.VideoCapture) -> UvcExposure | None:
        """A control if this camera takes manual exposure, else None (the camera is left in auto)."""
        try:
            backend = cap.getBackendName()
        except cv2.error:
            return None
        if backend not in _BACKENDS:
            return None
        control = cls(cap, backend)
        if not control._switch(control._manual):
            log.info("camera refuses manual exposure: exposure control off")
            return None
        control._switch(control._auto)
        return control

    def manual(self, stops: float) -> bool:
        if self._base is None:
            self._base = float(self._cap.get(cv2.CAP_PROP_EXPOSURE))
            if not self._switch(self._manual):
                self._base = None
                return False
        value = self._base + stops if self._log2 else self._base * 2.0**stops
        value = min(max(value, self._range[0]), self._range[1])
        return bool(self._cap.set(cv2.CAP_PROP_EXPOSURE, value))

    def auto(self) -> bool:
        self._base = None
        return self._switch(self._auto)

    def _switch(self, mode: float) -> bool:
        return bool(self._cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, mode))


def apply(control: ExposureControl | None, request: ExposureRequest) -> bool:
    """Carry out a controller's request; False when there is no control or the camera refused."""
    if control is None:
        return False
    try:
        return control.auto() if request.auto else control.manual(request.stops)
    except cv2.error as exc:  # a driver hiccup must not stop the camera thread
        log.warning("exposure request failed: %s", exc)
        return False
