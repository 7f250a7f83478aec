"""The escalation ladder: what to try, in which order, after the cheap first pass fails.

The order is measured, not guessed: `bench/scan/ladder.py` runs every candidate on the
failures of the first pass and orders them greedily by codes recovered per millisecond
(figures in docs/benchmarks.md). Each attempt has a cost model in milliseconds per
megapixel that the pipeline keeps updating from its own timings, so the budget check
stays honest on slower machines."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zxingcpp

from checkpoint_app.core.scanning import preprocess as pp
from checkpoint_app.core.scanning.decoders import Hit, zbar, zxing

Transform = Callable[[pp.Gray], pp.Gray]


@dataclass
class Attempt:
    name: str
    transform: Transform
    scale: float = 1.0  # how the transform scales the image (corners are mapped back)
    library: str = "zxing"
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
    ms_per_mp: float = 5.0  # prior; replaced by measurements as the pipeline runs
    runs: int = field(default=0)

    def estimate(self, pixels: int) -> float:
        return self.ms_per_mp * pixels * self.scale * self.scale / 1e6

    def run(self, gray: pp.Gray) -> list[Hit]:
        start = time.perf_counter()
        img = self.transform(gray)
        hits = zbar(img) if self.library == "zbar" else zxing(img, binarizer=self.binarizer)
        self._learn((time.perf_counter() - start) * 1000, gray.shape[0] * gray.shape[1])
        if self.scale != 1.0:
            hits = [Hit(h.text, tuple((x / self.scale, y / self.scale) for x, y in h.corners)) for h in hits]
        return hits

    def _learn(self, ms: float, pixels: int) -> None:
        per_mp = ms * 1e6 / max(pixels * self.scale * self.scale, 1)
        # Fast start, then a slow average so one stall does not starve an attempt forever.
        alpha = 0.5 if self.runs < 4 else 0.1
        self.ms_per_mp += alpha * (per_mp - self.ms_per_mp)
        self.runs += 1


def _identity(g: pp.Gray) -> pp.Gray:
    return g


def full_frame_ladder() -> list[Attempt]:
    """Whole-frame attempts in the greedy order measured by bench/scan/ladder.py."""
    return [
        Attempt("sharpen", pp.sharpen, ms_per_mp=2.5),
        Attempt("histogram", _identity, binarizer=zxingcpp.Binarizer.GlobalHistogram, ms_per_mp=0.5),
        Attempt("denoise", pp.denoise, ms_per_mp=2.0),
        Attempt("upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("clahe", pp.clahe, ms_per_mp=5.0),
        Attempt("flatten", pp.flatten, ms_per_mp=3.0),
    ]


def roi_ladder() -> list[Attempt]:
    """Attempts on a crop around a located or tracked code: small, so they can afford more,
    including the second library (zbar binarizes differently and reads some blur and moiré
    zxing-cpp does not)."""
    return [
        Attempt("roi-upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("roi-histogram", _identity, binarizer=zxingcpp.Binarizer.GlobalHistogram, ms_per_mp=0.5),
        Attempt("roi-sharpen", pp.sharpen, ms_per_mp=2.5),
        Attempt("roi-clahe-up", lambda g: pp.upsharp(pp.clahe(g)), scale=2.0, ms_per_mp=4.0),
        Attempt("roi-stretch", pp.stretch, ms_per_mp=1.8),
        Attempt("roi-denoise", pp.denoise, ms_per_mp=1.5),
        Attempt("roi-up3", pp.upsharp3, scale=3.0, ms_per_mp=4.0),
        Attempt("roi-zbar", _identity, library="zbar", ms_per_mp=20.0),
        Attempt("roi-zbar-up", pp.upscale, scale=2.0, library="zbar", ms_per_mp=20.0),
        Attempt("roi-flatten", pp.flatten, ms_per_mp=3.0),
    ]
