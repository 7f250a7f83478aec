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
from checkpoint_app.core.scanning.bent import read_bent, read_flat_finders
from checkpoint_app.core.scanning.decoders import Hit, zbar, zxing
from checkpoint_app.core.scanning.finders import Finder
from checkpoint_app.core.scanning.noisy import finder_peaks, read_peaks
from checkpoint_app.core.scanning.resample import read_located

Transform = Callable[[pp.Gray], pp.Gray]
Clock = Callable[[], float]
# Below this many pixels an attempt's cost is mostly its fixed overhead (a library call, a
# CLAHE tile grid), not its size: a 5x5 region taking 0.1 ms once taught the model 4000 ms
# per megapixel, after which the attempt never fit a budget again and so never relearned.
# Costs are modelled and learned as if a smaller image had this size.
MIN_PIXELS = 40_000


# px: a region larger than this after upscaling holds a code big enough as it is. Upscaling
# it anyway cost 5-25 ms (up to 69 ms for one region at 3x) of a 30 ms budget on the large
# regions of printed codes, where the bent-paper reader needed that time (docs/benchmarks.md).
UPSCALE_UP_TO = 900


def billed(pixels: int) -> int:
    """The pixel count an attempt's cost model charges for an image of `pixels`."""
    return max(pixels, MIN_PIXELS)


@dataclass
class Attempt:
    name: str
    transform: Transform
    scale: float = 1.0  # how the transform scales the image (corners are mapped back)
    library: str = "zxing"
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
    ms_per_mp: float = 5.0  # prior; replaced by measurements as the pipeline runs
    runs: int = field(default=0)
    # An upscaling attempt on regions: what runs instead on a region too large to need the
    # upscale (UPSCALE_UP_TO), the same contrast step at full size. Only roi-clahe-up has one:
    # skipping the plain upscalers on large regions lost small codes and clean prints (bench/scan).
    full_size: Attempt | None = None
    # Whether it runs the compiled loops (phase_kernels.py): if those cannot be compiled on a
    # machine, the pipeline goes on without such attempts.
    compiled: bool = False

    def for_image(self, shape: tuple[int, ...]) -> Attempt:
        """The attempt to run on an image of this shape: this one or its full-size variant."""
        if self.full_size is not None and min(shape[:2]) * self.scale > UPSCALE_UP_TO:
            return self.full_size
        return self

    def estimate(self, pixels: int) -> float:
        return self.ms_per_mp * billed(pixels) * self.scale * self.scale / 1e6

    def run(self, gray: pp.Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
        start = clock()
        img = self.transform(gray)
        hits = zbar(img) if self.library == "zbar" else zxing(img, binarizer=self.binarizer)
        self._learn((clock() - start) * 1000, gray.shape[0] * gray.shape[1])
        if self.scale != 1.0:
            hits = [Hit(h.text, tuple((x / self.scale, y / self.scale) for x, y in h.corners)) for h in hits]
        return hits

    def _learn(self, ms: float, pixels: int) -> None:
        per_mp = ms * 1e6 / (billed(pixels) * self.scale * self.scale)
        # Fast start, then a slow average so one stall does not starve an attempt forever.
        alpha = 0.5 if self.runs < 4 else 0.1
        self.ms_per_mp += alpha * (per_mp - self.ms_per_mp)
        self.runs += 1


class DeblurAttempt(Attempt):
    """Several deconvolutions of one region (see deblur.py), each only if it still fits."""

    def __init__(self, max_variants: int = 8) -> None:
        super().__init__("roi-deblur", _identity, ms_per_mp=20.0)
        # The first guesses recover most of what deblurring recovers at all; more would
        # starve the attempts after it on frames that were never blurred.
        self.max_variants = max_variants

    def estimate(self, pixels: int) -> float:
        return self.ms_per_mp * min(billed(pixels), deblur.MAX_SIDE**2) / 1e6

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


Reader = Callable[[pp.Gray, float, Clock], list[Hit]]


class GridAttempt(Attempt):
    """An attempt that samples the module grid itself instead of handing an image to a
    library: bent.py (finders by shape, the grid grown over a bent sheet), resample.py
    (zxing's location, our sampler and erasure decoder). Its cost hardly depends on the
    region's size, so the model is milliseconds per attempt, learned like the others."""

    def __init__(self, name: str, reader: Reader, ms: float) -> None:
        super().__init__(name, _identity, ms_per_mp=ms, compiled=True)
        self.reader = reader

    def estimate(self, pixels: int) -> float:
        return self.ms_per_mp

    def run(self, gray: pp.Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
        start = clock()
        hits = self.reader(gray, deadline, clock)
        alpha = 0.5 if self.runs < 4 else 0.1
        self.ms_per_mp += alpha * ((clock() - start) * 1000 - self.ms_per_mp)
        self.runs += 1
        return hits


class SearchThenRead(Attempt):
    """An attempt that first searches the whole image pixel by pixel and then reads what it
    found (noisy.py: finders by a matched filter, then their triples). The search cannot stop
    half way and grows with the image (about 3 ms at 480p, 8 at 720p, 20 at 1080p, over 100
    at 4K); the reads are per code and stop at the deadline. So the cost model has both parts,
    each learned from its own timings: milliseconds per megapixel for the search (a 4K frame's
    estimate then says it does not fit) and milliseconds for the reads."""

    def __init__(self, name: str, search: Callable[[pp.Gray], list[Finder]],
                 read: Callable[[pp.Gray, list[Finder], float, Clock], list[Hit]],
                 search_ms_per_mp: float, read_ms: float) -> None:
        super().__init__(name, _identity, ms_per_mp=search_ms_per_mp, compiled=True)
        self.search, self.read, self.read_ms = search, read, read_ms

    def estimate(self, pixels: int) -> float:
        return super().estimate(pixels) + self.read_ms

    def run(self, gray: pp.Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
        start = clock()
        found = self.search(gray)
        searched = clock()
        alpha = 0.5 if self.runs < 4 else 0.1
        self._learn((searched - start) * 1000, gray.shape[0] * gray.shape[1])
        hits = self.read(gray, found, deadline, clock)
        self.read_ms += alpha * ((clock() - searched) * 1000 - self.read_ms)
        return hits


def _located_in(locate: Transform, scale: float) -> Reader:
    """read_located with zxing-cpp looking at an upscaled copy (small codes it cannot find at
    their own size); a large region is searched as it is: its code needs no upscaling."""

    def reader(gray: pp.Gray, deadline: float, clock: Clock) -> list[Hit]:
        if min(gray.shape[:2]) * scale > UPSCALE_UP_TO:
            return read_located(gray, deadline, clock)
        return read_located(gray, deadline, clock, locate=locate, scale=scale)

    return reader


def _identity(g: pp.Gray) -> pp.Gray:
    return g


def _denoise2(g: pp.Gray) -> pp.Gray:
    return pp.stretch(cv2.GaussianBlur(g, (0, 0), 2.0))


def _denoise_edges(g: pp.Gray) -> pp.Gray:
    """Smooth within modules but not across their edges (bilateral): a dark frame's noise
    without the blur that merges small modules; reads a few dark codes the others miss."""
    return pp.stretch(cv2.bilateralFilter(cv2.GaussianBlur(g, (0, 0), 1.0), 7, 20, 5))


def catalogue() -> dict[str, Attempt]:
    """Every attempt the ladder may use; "roi-" ones run on regions, the others on the whole frame."""
    gh = zxingcpp.Binarizer.GlobalHistogram
    attempts = [
        Attempt("sharpen", pp.sharpen, ms_per_mp=2.5),
        Attempt("histogram", _identity, binarizer=gh, ms_per_mp=0.5),
        Attempt("denoise", pp.denoise, ms_per_mp=2.0),
        Attempt("denoise2", _denoise2, ms_per_mp=2.0),
        Attempt("denoise3", _denoise_edges, ms_per_mp=10.0),
        Attempt("upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("up3", pp.upsharp3, scale=3.0, ms_per_mp=5.0),
        Attempt("clahe", pp.clahe, ms_per_mp=5.0),
        Attempt("flatten", pp.flatten, ms_per_mp=3.0),
        Attempt("zbar", _identity, library="zbar", ms_per_mp=30.0),
        Attempt("roi-upsharp", pp.upsharp, scale=2.0, ms_per_mp=3.5),
        Attempt("roi-histogram", _identity, binarizer=gh, ms_per_mp=0.5),
        Attempt("roi-sharpen", pp.sharpen, ms_per_mp=2.5),
        DeblurAttempt(),
        Attempt("roi-clahe-up", lambda g: pp.upsharp(pp.clahe(g)), scale=2.0, ms_per_mp=4.0,
                full_size=Attempt("roi-clahe", lambda g: pp.sharpen(pp.clahe(g)), ms_per_mp=2.0)),
        Attempt("roi-stretch", pp.stretch, ms_per_mp=1.8),
        Attempt("roi-denoise", pp.denoise, ms_per_mp=1.5),
        Attempt("roi-denoise2", _denoise2, ms_per_mp=1.5),
        Attempt("roi-up3", pp.upsharp3, scale=3.0, ms_per_mp=5.0),
        Attempt("roi-zbar", _identity, library="zbar", ms_per_mp=20.0),
        Attempt("roi-zbar-up", pp.upscale, scale=2.0, library="zbar", ms_per_mp=20.0),
        Attempt("roi-flatten", pp.flatten, ms_per_mp=3.0),
        GridAttempt("roi-bent", read_bent, 8.0),
        GridAttempt("bent", read_bent, 10.0),
        GridAttempt("roi-flat", read_flat_finders, 5.0),
        GridAttempt("roi-resample", read_located, 4.0),
        GridAttempt("roi-resample-up2", _located_in(pp.upsharp, 2.0), 5.0),
        GridAttempt("roi-resample-up3", _located_in(pp.upsharp3, 3.0), 8.0),
        SearchThenRead("noisy", finder_peaks, read_peaks, 9.0, 7.0),
    ]
    return {a.name: a for a in attempts}


# Two orders, chosen by replaying every attempt's measured time and result on every
# first-pass failure of the benchmark (phone screens and printed codes) under the 30 ms
# budget (bench/scan/ladder.py), then by running the candidates on the whole benchmark
# (docs/benchmarks.md): ORDER where only a texture search suggests a code, ORDER_LOCATED
# where zxing-cpp located a symbol it could not decode (or a code was read a moment ago).
# roi-clahe-up leads both: about 3 ms, and it reads the widest range of damage (on a region
# too large to need the upscale it runs at full size, as roi-clahe: see UPSCALE_UP_TO); roi-deblur
# returns in about a millisecond when a region shows no directional blur and is the only
# attempt that reads strong motion blur. Where a symbol was located, what failed is reading
# it, not finding it: our own sampling of its grid (roi-resample) comes next. Issue 15's
# second round (bench/scan, docs/benchmarks.md) moved roi-flat (finders by shape, now
# reading strong tilts and codes with one finder washed out) up to just after roi-bent,
# which reads far more bent paper, and roi-zbar (plastic sleeves, moire) up to seventh; its
# third round (the bent reader compiled) put roi-zbar before roi-flat: on a sleeve's glare
# roi-flat spent 10-14 ms failing where roi-zbar then read the code (sleeve +3 of 132, the
# rest unchanged, in paired runs).
# The tail runs only when a larger budget (a still image) leaves time for it; it ends with
# "noisy" (noisy.py), which in dark frames runs second (DARK_FIRST).
ORDER = ("roi-clahe-up", "roi-deblur", "roi-up3", "roi-resample-up2", "roi-bent", "roi-zbar", "roi-flat", "upsharp",
         "histogram", "clahe", "sharpen", "denoise", "zbar", "roi-resample", "roi-histogram", "roi-sharpen",
         "roi-upsharp", "roi-stretch", "roi-denoise2", "denoise2", "roi-zbar-up", "flatten", "roi-flatten", "up3",
         "roi-denoise", "bent", "roi-resample-up3", "denoise3", "noisy")
_LOCATED_FIRST = ("roi-clahe-up", "roi-resample", "roi-bent", "roi-flat", "roi-deblur", "roi-up3", "roi-resample-up2",
                  "upsharp", "histogram", "sharpen", "clahe", "denoise", "zbar", "roi-histogram")
ORDER_LOCATED = (*_LOCATED_FIRST, *(name for name in ORDER if name not in _LOCATED_FIRST))


def ladder(order: tuple[str, ...] = ORDER, known: dict[str, Attempt] | None = None) -> list[Attempt]:
    known = known if known is not None else catalogue()
    return [known[name] for name in order]


# noisy (finders by a matched filter, modules averaged, noisy.py) right after the cheap
# denoise: bench/scan low_light level 3 went from 14 to 36 of 44 with it there (issue 15).
DARK_FIRST = ("denoise", "noisy", "denoise3", "denoise2")


def for_dark_frames(steps: list[Attempt]) -> list[Attempt]:
    """In a dark frame sensor noise is the problem, and denoising (and the reader made for
    noise) is what recovers codes there (bench/scan low_light); run it first instead of
    after the budget is gone."""
    first = {name: i for i, name in enumerate(DARK_FIRST)}
    return sorted((a for a in steps if a.name in first), key=lambda a: first[a.name]) + \
        [a for a in steps if a.name not in first]
