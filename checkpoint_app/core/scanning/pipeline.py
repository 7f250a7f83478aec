"""The decoding pipeline: a cheap pass on every frame, escalation only while time allows.

Per frame, in order, stopping at the budget:
1. zxing-cpp on the gray frame (about 1-5 ms at 720p): most frames end here.
2. Regions of interest: symbols zxing located but could not decode, where codes were read
   in the last second (a tracked phone rarely jumps), else blobs of code-like texture.
3. One measured ladder of attempts on those regions and on the whole frame (upscaling,
   sharpening, deblurring, contrast, other binarizers, zbar), each only if it still fits.
4. Multi-frame fusion: the mean (noise) and minimum (moving glare) of aligned recent frames.

The pipeline is stateful (tracking and fusion use earlier frames) and not thread-safe:
one pipeline per decode thread. Callers feed it the latest frame only (STYLE rule 4)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from checkpoint_app.core.scanning import exposure, fusion, phase_kernels
from checkpoint_app.core.scanning.attempts import ORDER, ORDER_LOCATED, Attempt, catalogue, for_dark_frames, ladder
from checkpoint_app.core.scanning.decoders import Hit, zxing
from checkpoint_app.core.scanning.locate import texture_regions
from checkpoint_app.core.scanning.preprocess import Gray, crop, to_gray
from checkpoint_app.core.scanning.result import Corners, FrameResult, ReadCode

__all__ = ["FrameResult", "ReadCode", "ScanPipeline"]

DARK_LEVEL = 90.0
# The smallest QR symbol (version 1) is 21 modules a side: a frame narrower than that holds
# no code, and the escalation's quarter-size maps of one of 1-3 pixels made OpenCV raise
# (a 2x2 image to `decode`, a camera set to a degenerate mode, on every frame).
MIN_SIDE = 21
MAX_SIDE = 65_535  # zxing-cpp refuses wider or taller images (and no camera gives them)


class ScanPipeline:
    """budget_ms bounds the escalation per frame (the first pass always runs). clock is what
    the budget is measured in: wall time (the default) for a live camera; the benchmark
    passes time.thread_time so that other processes on a shared core do not change which
    attempts fit. track_s: how long a read code's region is retried after it was last read."""

    def __init__(self, budget_ms: float = 30.0, *, track_s: float = 1.0, fuse: bool = True,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.budget_ms = budget_ms
        self.track_s = track_s
        self._clock = clock
        # one Attempt object per name across the ladders, so each keeps one learned cost
        attempts = catalogue()
        self._ladder = ladder(ORDER, attempts)
        self._located_ladder = ladder(ORDER_LOCATED, attempts)
        self._dark_ladder = for_dark_frames(self._ladder)
        self._noisy = attempts["noisy"]
        self._history = fusion.FrameHistory() if fuse else None
        self._tracked: list[tuple[float, Corners]] = []

    def decode(self, frame: np.ndarray, t: float) -> FrameResult:
        """All codes in one frame (BGR or gray) taken at time t (seconds, monotonic)."""
        if not self.warm_up():  # before the frame's budget starts
            self._without_compiled()
        start = self._clock()
        gray = to_gray(frame)
        if gray is None or min(gray.shape) < MIN_SIDE or max(gray.shape) > MAX_SIDE:
            return FrameResult((), (self._clock() - start) * 1000.0)
        found: dict[str, Corners] = {}
        pending = self._first_pass(gray, found)
        deadline = start + self.budget_ms / 1000.0
        if self._history is not None:
            self._history.push(gray, t)
        unread: list[Corners] = []
        if not found or pending:
            unread = self._escalate(gray, t, found, pending, deadline)
        self._track(found, t)
        codes = tuple(ReadCode.of(text, corners) for text, corners in found.items())
        levels = tuple(exposure.levels(gray, c) for c in unread) if not found else ()
        return FrameResult(codes, (self._clock() - start) * 1000.0, levels)

    @staticmethod
    def warm_up() -> bool:
        """Load (or, once per machine, compile) the grid readers' compiled loops: 0.2-0.5 s
        from numba's cache, 10-13 s without it. The first decode does it before its clock
        starts; a benchmark calls it before it starts timing. False if they cannot be compiled."""
        return phase_kernels.warm()

    def _without_compiled(self) -> None:
        """The ladders without the attempts that run the compiled loops: a machine where they
        cannot be compiled still reads every code the libraries read (logged once, by warm)."""
        if any(a.compiled for a in self._ladder):
            self._ladder = [a for a in self._ladder if not a.compiled]
            self._located_ladder = [a for a in self._located_ladder if not a.compiled]
            self._dark_ladder = [a for a in self._dark_ladder if not a.compiled]

    def reset(self) -> None:
        """Forget tracked positions and past frames (e.g. when the camera changes)."""
        self._tracked.clear()
        if self._history is not None:
            self._history.clear()

    def _first_pass(self, gray: Gray, found: dict[str, Corners]) -> list[Corners]:
        """Decode; return the corners of symbols located but not decoded (candidate ROIs)."""
        hits = zxing(gray, errors=True)
        _collect(hits, found)
        return [h.corners for h in hits if h.text is None and not _overlaps(h.corners, found.values())]

    def _escalate(self, gray: Gray, t: float, found: dict[str, Corners], pending: list[Corners],
                  deadline: float) -> list[Corners]:
        """Run the ladder; returns the regions of interest no attempt read."""
        tracked = [c for seen, c in self._tracked if t - seen <= self.track_s and not _overlaps(c, found.values())]
        must = _dedupe(pending + tracked)  # regions that surely hold a code
        rois = must if must or found else texture_regions(gray)
        cropped = [(c, *crop(gray, c)) for c in rois]
        regions = [(sub, offset) for _, sub, offset in cropped if sub.size]
        corners = [c for c, sub, _ in cropped if sub.size]
        dark = _is_dark(gray)
        steps = self._dark_ladder if dark else self._located_ladder if must else self._ladder
        if dark and not found and self._history is not None and self._fuse(t, found, deadline, dark=True):
            # noise is what hides a code in the dark: average it away first; the noise reader
            # read the average, and has nothing to add on one frame of it
            steps = [a for a in steps if a is not self._noisy]
        open_ = list(range(len(regions)))
        for attempt in steps:
            if found and not (must and open_):
                break
            if attempt.name.startswith("roi-"):
                for i in list(open_):
                    if self._run(attempt, regions[i][0], found, deadline, regions[i][1]):
                        open_.remove(i)
            elif not found:
                self._run(attempt, gray, found, deadline)
        if not found and not dark and self._history is not None:
            self._fuse(t, found, deadline)
        return [corners[i] for i in open_]

    def _run(self, chosen: Attempt, gray: Gray, found: dict[str, Corners], deadline: float,
             offset: tuple[int, int] = (0, 0)) -> bool:
        attempt = chosen.for_image(gray.shape)
        if self._clock() + attempt.estimate(gray.shape[0] * gray.shape[1]) / 1000.0 > deadline:
            return False  # a cheaper attempt further down may still fit
        return _collect(attempt.run(gray, deadline, self._clock), found, offset)

    def _fuse(self, t: float, found: dict[str, Corners], deadline: float, dark: bool = False) -> bool:
        """Read the combined recent frames; in a dark frame the noise reader also reads their
        mean. Returns whether it did (so that it is not run again on the frame alone)."""
        assert self._history is not None
        if self._clock() + 0.004 > deadline:
            return False
        frames = self._history.aligned(t)
        if frames is None:
            return False
        noisy = False
        for combine in (fusion.mean_of, fusion.min_of):
            if self._clock() + 0.006 > deadline:
                return noisy
            image = combine(frames)
            hits = zxing(image)
            if _stale(frames, hits):
                return self._scene_changed()
            if _collect(hits, found):
                return noisy
            if dark and combine is fusion.mean_of and self._noisy in self._dark_ladder:
                noisy = self._clock() + self._noisy.estimate(image.size) / 1000.0 <= deadline
                hits = self._noisy.run(image, deadline, self._clock) if noisy else []
                if _stale(frames, hits):
                    return self._scene_changed()
                if _collect(hits, found):
                    return noisy
        return noisy

    def _scene_changed(self) -> bool:
        """The combined frames read a code the newest frame does not show: the next person's
        phone where the last one's was. The older frames are dropped, so that the next frames
        combine with this one only, and this frame is read on its own (returns False: the
        noise reader has not read it)."""
        assert self._history is not None
        self._history.keep_newest()
        return False

    def _track(self, found: dict[str, Corners], t: float) -> None:
        self._tracked = [(seen, c) for seen, c in self._tracked if t - seen <= self.track_s and t >= seen]
        self._tracked += [(t, c) for c in found.values()]
        del self._tracked[:-8]  # a handful of phones at most; bound the ROI work


def _collect(hits: Sequence[Hit], found: dict[str, Corners], offset: tuple[int, int] = (0, 0)) -> bool:
    ox, oy = offset
    new = False
    for h in hits:
        if h.text is not None and h.text not in found:
            found[h.text] = tuple((x + ox, y + oy) for x, y in h.corners)
            new = True
    return new


def _stale(frames: list[Gray], hits: Sequence[Hit]) -> bool:
    """Whether the combined frames read a code that the newest frame does not show as the
    older ones do (fusion.shown_in_newest): then none of their reads is reported."""
    return any(h.text is not None and not fusion.shown_in_newest(frames, h.corners) for h in hits)


def _is_dark(gray: Gray) -> bool:
    # A dimmed screen in a dark room: even the brightest pixels stay low.
    return float(np.percentile(gray[::8, ::8], 99)) < DARK_LEVEL


def _box(c: Corners) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in c], [p[1] for p in c]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(c: Corners, others: Iterable[Corners]) -> bool:
    ax0, ay0, ax1, ay1 = _box(c)
    for o in others:
        bx0, by0, bx1, by1 = _box(o)
        if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
            return True
    return False


def _dedupe(rois: list[Corners]) -> list[Corners]:
    out: list[Corners] = []
    for r in rois:
        if not _overlaps(r, out):
            out.append(r)
    return out
