"""The third finder pattern of a code whose other two were found: under a glare streak or
a thumb one finder is often washed out or covered while the rest of the code is readable.

Two finders of a similar size are either a leg of the code (top-left and top-right, or
top-left and bottom-left) or its diagonal (top-right and bottom-left). Each reading puts
the missing finder somewhere else: a quarter turn of the pair's vector at either end and on
either side, or the far corner of the square over the diagonal. Each guess gets the outline
of the nearer found finder (a flat code's finders have the same shape), and the triples
they make go to resample.read_flat, which reads only a grid whose timing patterns alternate
and treats what the glare washed out as erasures."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from checkpoint_app.core.scanning.finders import Finder

MAX_PAIRS = 3


def completions(finders: list[Finder], shape: tuple[int, ...] | None = None) -> list[list[Finder]]:
    """Candidate three-finder sets made of two found finders and one guessed, for the first
    few pairs of similar size that are far enough apart to span a code. With the image's
    `shape`, a guess whose centre lies outside the image is left out: a finder washed out by
    glare is still in the picture, and one cut off by its edge takes the code with it. (In a
    region cropped around a code most guesses fall outside it; each cost a homography and a
    timing check per version, up to 12 ms a region for nothing, docs/benchmarks.md.)"""
    out: list[list[Finder]] = []
    pairs = [(a, b) for a, b in combinations(finders[:4], 2) if _pairable(a, b)]
    for a, b in pairs[:MAX_PAIRS]:
        out += [[a, b, _like(a if math.dist(a.center, c) < math.dist(b.center, c) else b, c)]
                for c in _guesses(a, b) if shape is None or _inside(c, shape)]
    return out


def _inside(point: tuple[float, float], shape: tuple[int, ...]) -> bool:
    return 0 <= point[0] < shape[1] and 0 <= point[1] < shape[0]


def _pairable(a: Finder, b: Finder) -> bool:
    module = (a.module + b.module) / 2
    return max(a.module, b.module) < 1.6 * min(a.module, b.module) and math.dist(a.center, b.center) > 12 * module


def _guesses(a: Finder, b: Finder) -> list[tuple[float, float]]:
    pa, pb = np.array(a.center, np.float64), np.array(b.center, np.float64)
    d = pb - pa
    perp = np.array([-d[1], d[0]])
    legs = [p + s * perp for p in (pa, pb) for s in (1.0, -1.0)]
    mid = (pa + pb) / 2
    diagonal = [mid + s * perp / 2 for s in (1.0, -1.0)]
    return [(float(x), float(y)) for x, y in legs + diagonal]


def _like(model: Finder, center: tuple[float, float]) -> Finder:
    shift = np.subtract(center, model.center).astype(np.float32)
    return Finder(center, model.corners + shift, model.module)
