"""The escalation ladder: what to try, in which order, after the cheap first pass fails.

Attempts named "roi-..." run on regions of interest (a crop around a code that zxing
located but could not decode, a tracked code, a texture blob); the others on the whole
frame. The order is measured, not guessed (see ORDER). Each attempt has a cost model in milliseconds per
megapixel that the pipeline keeps updating from its own timings, so the budget check
stays honest on slower machines."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import zxingcpp

from checkpoint_app.core.scanning import deblur
from checkpoint_app.core.scanning import preprocess as pp
from checkpoint_app.core.scanning.decoders import Hit, zbar, zxing

Transform = Callable[[pp.Gray], pp.Gray]
Clock = Callable[[], float]


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

    def run(self, gray: pp.Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
        start = clock()
        img = self.transform(gray)
        hits = zbar(img) if self.library == "zbar" else zxing(img, binarizer=self.binarizer)
        self._learn((clock() - start) * 1000, gray.shape[0] * gray.shape[1])
        if self.scale != 1.0:
            hits = [Hit(h.text, tuple((x / self.scale, y / self.scale) for x, y in h.corners)) for h in hits]
        return hits

    def _learn(self, ms: float, pixels: int) -> None:
        per_mp = ms * 1e6 / max(pixels * self.scale * self.scale, 1)
        # Fast start, then a slow average so one stall does not starve an attempt forever.
        alpha = 0.5 if self.runs < 4 else 0.1
        self.ms_per_mp += alpha * (per_mp - self.ms_per_mp)
        self.runs += 1


class DeblurAttempt(Attempt):
    """Several deconvolutions of one region (see deblur.py), each only if it still fits."""

    def __init__(self, max_variants: int = 5) -> None:
        super().__init__("roi-deblur", _identity, ms_per_mp=20.0)
        # The first guesses recover most of what deblurring recovers at all; more would
        # starve the attempts after it on frames that were never blurred.
        self.max_variants = max_variants

    def estimate(self, pixels: int) -> float:
        return self.ms_per_mp * min(pixels, deblur.MAX_SIDE**2) / 1e6

    def run(self, gray: pp.Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
        pixels = gray.shape[0] * gray.shape[1]
        variants = deblur.candidates(gray)
        for _ in range(self.max_variants):
            start = clock()
            image, scale = next(variants, (None, 1.0))
            if image is None:
                return []
            hits = zxing(image)
            self._learn((clock() - start) * 1000, min(pixels, deblur.MAX_SIDE**2))
            if any(h.text for h in hits):
                return [Hit(h.text, tuple((x / scale, y / scale) for x, y in h.corners)) for h in hits]
            if clock() + self.estimate(pixels) / 1000.0 > deadline:
                break
        return []


def _identity(g: pp.Gray) -> pp.Gray:
    return g


def _denoise2(g: pp.Gray) -> pp.Gray:
    return pp.stretch(cv2.GaussianBlur(g, (0, 0), 2.0))


def catalogue() -> dict[str, Attempt]:
    """Every attempt the ladder may use; "roi-" ones run on regions, the others on the whole frame."""
    gh = zxingcpp.Binarizer.GlobalHistogram
    attempts = [
        Attempt("sharpen", pp.sharpen, ms_per_mp=2.5),
        Attempt("histogram", _identity, binarizer=gh, ms_per_mp=0.5),
        Attempt("denoise", pp.denoise, ms_per_mp=2.0),
        Attempt("denoise2", _denoise2, ms_per_mp=2.0),
        Attempt("upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("up3", pp.upsharp3, scale=3.0, ms_per_mp=5.0),
        Attempt("clahe", pp.clahe, ms_per_mp=5.0),
        Attempt("flatten", pp.flatten, ms_per_mp=3.0),
        Attempt("zbar", _identity, library="zbar", ms_per_mp=30.0),
        Attempt("roi-upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("roi-histogram", _identity, binarizer=gh, ms_per_mp=0.5),
        Attempt("roi-sharpen", pp.sharpen, ms_per_mp=2.5),
        DeblurAttempt(),
        Attempt("roi-clahe-up", lambda g: pp.upsharp(pp.clahe(g)), scale=2.0, ms_per_mp=4.0),
        Attempt("roi-stretch", pp.stretch, ms_per_mp=1.8),
        Attempt("roi-denoise", pp.denoise, ms_per_mp=1.5),
        Attempt("roi-denoise2", _denoise2, ms_per_mp=1.5),
        Attempt("roi-up3", pp.upsharp3, scale=3.0, ms_per_mp=5.0),
        Attempt("roi-zbar", _identity, library="zbar", ms_per_mp=20.0),
        Attempt("roi-zbar-up", pp.upscale, scale=2.0, library="zbar", ms_per_mp=20.0),
        Attempt("roi-flatten", pp.flatten, ms_per_mp=3.0),
    ]
    return {a.name: a for a in attempts}


# The order bench/scan/ladder.py found: it replays every attempt's measured time and result
# on every first-pass failure of the benchmark under the 30 ms budget and adds, greedily,
# the attempt that recovers most. Chosen on half the images, the order also beat the
# hand-made one on the other half (docs/benchmarks.md). The tail runs only when a larger
# budget (a still image) leaves time for it.
ORDER = ("roi-clahe-up", "sharpen", "histogram", "roi-up3", "roi-deblur", "zbar", "upsharp", "roi-histogram",
         "roi-sharpen", "denoise",
         "roi-upsharp", "roi-stretch", "roi-denoise2", "denoise2", "clahe", "roi-zbar", "roi-zbar-up", "flatten",
         "roi-flatten", "up3", "roi-denoise")


def ladder(order: tuple[str, ...] = ORDER) -> list[Attempt]:
    known = catalogue()
    return [known[name] for name in order]


def for_dark_frames(steps: list[Attempt]) -> list[Attempt]:
    """In a dark frame sensor noise is the problem, and denoising is what recovers codes
    there (bench/scan low_light); run it first instead of after the budget is gone."""
    first = [a for a in steps if a.name == "denoise"]
    return first + [a for a in steps if a.name != "denoise"]
