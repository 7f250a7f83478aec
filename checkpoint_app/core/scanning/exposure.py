"""Exposure for phone screens: the camera's own exposure is set for the room, not the screen.

A bright screen in a dim entrance burns out (its white modules clip and bleed into the
black ones); a dim screen in sunlight drowns in the dark end. When the pipeline finds
something code-like that it cannot read, and that region is clipped (or drowned), the
controller asks the camera for a shorter (or longer) exposure, one step every few frames
so each step can take effect, and gives the camera its own exposure back as soon as the
code is read, when nothing code-like has been in view for a while, or when stepping did
not help. Requests are relative (stops from the exposure the camera had when control
began), so the controller knows nothing about a camera's units; the frame source turns
them into what its camera understands (hardware/exposure.py), or has no control at all."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from checkpoint_app.core.scanning.mailbox import Mailbox
from checkpoint_app.core.scanning.preprocess import Gray, to_gray

Corners = tuple[tuple[float, float], ...]

CLIPPED = 250  # pixel value counted as clipped


@dataclass(frozen=True)
class RegionLevels:
    """Brightness of a region where a code probably is but was not read."""

    clipped: float  # fraction of its pixels at or above CLIPPED
    high: float  # its 98th percentile
    low: float  # its 2nd percentile


def levels(gray: Gray, corners: Corners) -> RegionLevels:
    """RegionLevels of the middle of the box around `corners` (the middle: a region's box also
    holds some of what surrounds the code; sampled sparsely: this is a hint, not a measurement)."""
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    h, w = gray.shape[:2]
    cx, cy, rx, ry = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) * 0.3, \
        (max(ys) - min(ys)) * 0.3
    box = gray[max(0, int(cy - ry)):min(h, int(cy + ry) + 1), max(0, int(cx - rx)):min(w, int(cx + rx) + 1)]
    step = max(1, int(np.sqrt(box.size / 4096)))
    sample = box[::step, ::step]
    if sample.size == 0:
        return RegionLevels(0.0, 0.0, 0.0)
    low, high = np.percentile(sample, (2, 98))
    return RegionLevels(float(np.mean(sample >= CLIPPED)), float(high), float(low))


def burnt_screens(gray: Gray, scale: int = 4) -> tuple[RegionLevels, ...]:
    """Clipped areas of a screen's size with a burnt code's remains inside: holes of unclipped
    pixels (the black modules the glow did not quite swallow). A lamp or a white page has none;
    the texture search of the pipeline does not find such a screen (it is mostly flat white)."""
    small = gray[::scale, ::scale]
    mask = (small >= CLIPPED).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in contours:
        area = cv2.contourArea(c)
        if not 0.002 * small.size < area < 0.4 * small.size:
            continue
        filled = np.zeros_like(mask)
        cv2.drawContours(filled, [c], -1, 1, -1)
        holes = float(np.count_nonzero(filled & (mask == 0))) / max(float(np.count_nonzero(filled)), 1.0)
        if 0.01 < holes < 0.6:
            out.append(RegionLevels(1.0 - holes, 255.0, float(np.percentile(small[filled > 0], 2))))
    return tuple(out)


@dataclass(frozen=True)
class Evidence:
    """What one decoded frame says about exposure."""

    read: bool  # a code was read
    unread: tuple[RegionLevels, ...]  # code-like regions that were not read
    scene: float  # the frame's median level (what the camera's own exposure aims at)


def evidence(gray: Gray, read: bool, unread: tuple[RegionLevels, ...]) -> Evidence:
    """The pipeline's unread regions plus burnt screens it cannot see (only when nothing was read)."""
    if read:
        return Evidence(True, (), 0.0)
    return Evidence(False, unread + burnt_screens(gray), float(np.median(gray[::8, ::8])))


@dataclass(frozen=True)
class ExposureRequest:
    """auto=True: the camera's own exposure. Otherwise `stops` (log2) from the exposure the
    camera had when control began: -1 is half as long, +1 twice as long."""

    auto: bool
    stops: float = 0.0


AUTO = ExposureRequest(True)


class ExposureController:
    """Fed every decoded frame; returns a request when the camera should change, else None.
    Not thread-safe: it lives in the decode thread beside the pipeline."""

    def __init__(self, *, step: float = 1.0, darkest: float = -6.0, brightest: float = 3.0,
                 settle_frames: int = 2, confirm_frames: int = 2, gone_frames: int = 10,
                 give_up_s: float = 4.0, cooldown_s: float = 2.0, after_give_up_s: float = 30.0) -> None:
        self.step, self.darkest, self.brightest = step, darkest, brightest
        self.settle_frames, self.confirm_frames, self.gone_frames = settle_frames, confirm_frames, gone_frames
        self.give_up_s, self.cooldown_s, self.after_give_up_s = give_up_s, cooldown_s, after_give_up_s
        self.stops: float | None = None  # None: the camera's own exposure
        self._since_change = 0
        self._streak = 0  # frames in a row that wanted the same direction
        self._last_want = 0
        self._unseen = 0
        self._began = 0.0
        self._quiet_until = -1.0

    @property
    def manual(self) -> bool:
        return self.stops is not None

    def update(self, seen: Evidence, t: float) -> ExposureRequest | None:
        """One decoded frame's evidence at time t (seconds) -> a request for the camera, or None."""
        self._since_change += 1
        read, unread = seen.read, seen.unread
        if read:
            # the code is read: done; and the person in front is done too, so do not start again at once
            self._quiet_until = t + self.cooldown_s
            return self._release()
        want = _direction(unread, seen.scene)
        self._streak = self._streak + 1 if want == self._last_want else 1
        self._last_want = want
        if self.stops is not None:
            self._unseen = 0 if unread else self._unseen + 1
            if self._unseen >= self.gone_frames:
                self._quiet_until = t + self.cooldown_s
                return self._release()
            if t - self._began > self.give_up_s:
                # stepping did not help (a window, a lamp, not a code): leave the camera alone a while
                self._quiet_until = t + self.after_give_up_s
                return self._release()
        if want == 0 or t < self._quiet_until or self._since_change < self.settle_frames:
            return None
        if self.stops is None and self._streak < self.confirm_frames:
            return None  # one frame's glimpse of a dark bag is not a drowned screen
        current = self.stops if self.stops is not None else 0.0
        target = float(np.clip(current + want * self.step, self.darkest, self.brightest))
        if self.stops is not None and target == self.stops:
            return None  # at the end of the range: nothing more to try
        if self.stops is None:
            self._began, self._unseen = t, 0
        self.stops, self._since_change = target, 0
        return ExposureRequest(False, target)

    def reset(self) -> ExposureRequest | None:
        """The camera changed or scanning stopped: hand exposure back if it was taken."""
        return self._release()

    def _release(self) -> ExposureRequest | None:
        if self.stops is None:
            return None
        self.stops, self._since_change = None, 0
        return AUTO


def _direction(unread: tuple[RegionLevels, ...], scene: float) -> int:
    """-1: some unread code-like region is burnt out; +1: drowned in the dark; 0: neither."""
    if any(r.clipped > 0.2 or (r.high >= CLIPPED and r.low > 140) for r in unread):
        return -1
    # drowned: much darker than a bright scene the camera exposes for (sunlight behind the
    # phone), and its black lifted by what the screen's glass reflects (a dark object's is not)
    if scene > 90 and any(r.high < 0.85 * scene and r.low >= 12 for r in unread):
        return +1
    return 0


class ExposureLink:
    """The decode thread's controller and the one-slot mailbox its requests reach the camera
    thread by (latest wins: a request the camera has not taken yet is out of date anyway)."""

    def __init__(self, controller: ExposureController | None = None) -> None:
        self.controller = controller or ExposureController()
        self._requests: Mailbox[ExposureRequest] = Mailbox()

    def after_frame(self, frame: np.ndarray, read: bool, unread: tuple[RegionLevels, ...], t: float) -> None:
        """Decode thread: one decoded frame (BGR or gray) and what the pipeline made of it."""
        if read:
            seen = Evidence(True, (), 0.0)
        else:
            gray = to_gray(frame)
            if gray is None:
                return  # no picture (preprocess.to_gray): nothing to learn about exposure from it
            seen = evidence(gray, read, unread)
        request = self.controller.update(seen, t)
        if request is not None:
            self._requests.put(request)

    def release(self) -> None:
        """Decode thread, when scanning stops: the camera gets its own exposure back."""
        request = self.controller.reset()
        if request is not None:
            self._requests.put(request)

    def take(self) -> ExposureRequest | None:
        """Camera thread: the newest request, if there is one."""
        return self._requests.take_nowait()
