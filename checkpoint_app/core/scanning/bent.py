"""Reading a printed code that is not flat: folded, curled over a hand, crumpled.

Finder patterns by shape (finders.py), the module grid grown outward from the top-left
finder and measured on the module edges themselves (lattice.py), then the modules sampled
on that grid, the fixed patterns restored and the bits read (modules.py). It runs as one
attempt of the escalation ladder (attempts.py: "roi-bent") on regions where a code is
likely; docs/benchmarks.md has what it recovers and costs."""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable

import numpy as np

from checkpoint_app.core.scanning import lattice as lt
from checkpoint_app.core.scanning import modules as md
from checkpoint_app.core.scanning.decoders import Hit
from checkpoint_app.core.scanning.finders import Finder, find_finders, triples
from checkpoint_app.core.scanning.preprocess import Gray
from checkpoint_app.core.scanning.resample import read_flat
from checkpoint_app.core.scanning.third import completions

Clock = Callable[[], float]
MIN_TIMING = 0.75  # timing patterns worse than this: the grid is not this code's grid
MAX_TRIPLES = 1
SKEW_WEIGHT = 2.0  # finders.triples: legs along the finders' sides (flat codes only)
MAX_MODULES = 40 * 4 + 17  # version 40


_last: tuple[tuple[tuple[int, ...], int], list[Finder]] | None = None


def finders_of(gray: Gray) -> list[Finder]:
    """find_finders, remembered for the last image: roi-bent and roi-flat come one after the
    other in the ladder on the same region, and the search (2-3 ms on a printed code's region,
    a fifth of the bent reader's time) found the same finders twice. The image's bytes are
    the key (a checksum: a new frame's region may reuse the old one's memory)."""
    global _last
    key = (gray.shape, zlib.crc32(np.ascontiguousarray(gray).data))
    last = _last
    if last is not None and last[0] == key:
        return list(last[1])
    found = find_finders(gray)
    _last = (key, found)
    return list(found)


def read_bent(gray: Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
    """Codes read through a grown grid; [] when no finder triple leads to a readable code."""
    def out_of_time() -> bool:
        return clock() > deadline

    for tl, tr, bl in triples(finders_of(gray))[:MAX_TRIPLES]:
        if out_of_time():
            break
        hit = read_triple(gray, tl, tr, bl, out_of_time)
        if hit is not None:
            return [hit]
    return []


def read_flat_finders(gray: Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
    """Codes read through a homography from finders found by shape (resample.read_flat): a
    flat code whose finders zxing-cpp's scan lines miss (a fold elsewhere, ink spread, a
    strong tilt); when no three make a code, two found and a third guessed (third.py)."""
    finders = finders_of(gray)
    found = triples(finders, skew=SKEW_WEIGHT)[:MAX_TRIPLES]
    sets = [list(t) for t in found] if found else completions(finders, gray.shape)
    for candidate in sets:
        for tl, tr, bl in triples(candidate, skew=SKEW_WEIGHT)[:MAX_TRIPLES]:
            if clock() > deadline:
                return []
            hit = read_flat(gray, tl, tr, bl, lambda: clock() > deadline)
            if hit is not None:
                return [hit]
    return []


def read_triple(gray: Gray, tl: Finder, tr: Finder, bl: Finder, out_of_time: lt.OutOfTime = lt.never) -> Hit | None:
    grown = lt.grow(gray, tl, tr, bl, _room(tl, tr), out_of_time)
    if grown is None:
        return None
    pts, n = grown
    text = md.read_grid(gray, pts, n, MIN_TIMING, out_of_time)
    return None if text is None else Hit(text, lt.corners(pts, n))


def _room(tl: Finder, tr: Finder) -> int:
    """Lattice size to grow into: the modules between the finders plus margin, capped."""
    module = (tl.module + tr.module) / 2
    span = math.dist(tl.center, tr.center) / max(module, 1e-6)
    return int(min(MAX_MODULES, span * 1.5 + 16) + 2 * lt.Q)
