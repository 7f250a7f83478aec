"""Codes drowned in sensor noise: a dimmed phone screen in a dark entrance, where the
webcam's gain makes the noise about as large as the code's contrast (bench/scan low_light
level 3: gain 0.05, a dozen grey levels between dark and light modules under noise of
sigma 10 per channel). Every binarizer breaks such a code into specks, so nothing here
thresholds pixels; everything averages over areas the code's structure says belong together:

1. Finders by a matched filter: the means of a finder's three zones (dark 3x3-module core,
   light ring to 5x5, dark outline to 7x7) from box filters at module sizes of 2.6-7.6 px,
   on the frame at half resolution; the strongest separated peaks are candidates.
2. Three of them as a code (finders.triples); for the versions whose module size is
   nearest the peaks', the grid put onto the finders and first alignment patterns
   (patterns.py) and scored by its timing patterns; the best put onto all its alignment
   patterns (three finders fix no perspective: a 20° tilt moves the far corner a module).
3. Each module averaged over its whole cell, thresholded against its neighbourhood,
   corrected for what its neighbours leak into it, and decoded with each block's least
   certain codewords erased in turn (qrdecode's GMD decoding). The Reed-Solomon check
   decides: a wrong grid or a pattern in the noise reads nothing, not a wrong text.

Dark-on-light codes only (a dark-mode screen in a dark room is not bright enough to drown).
It runs as the ladder attempt "noisy" (attempts.py) on the whole frame."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import cv2
import numpy as np

from checkpoint_app.core.scanning import lattice as lt
from checkpoint_app.core.scanning import modules as md
from checkpoint_app.core.scanning import patterns, qrdecode, resample
from checkpoint_app.core.scanning.decoders import Hit
from checkpoint_app.core.scanning.finders import Finder, triples
from checkpoint_app.core.scanning.phase import dense
from checkpoint_app.core.scanning.preprocess import Gray

Clock = Callable[[], float]
SCALES = (2.6, 3.0, 3.5, 4.1, 4.8, 5.6, 6.5, 7.6)  # px per module, matched at half resolution
MAX_PEAKS = 8
PEAK_SHARE = 0.35  # of the strongest peak: weaker ones are texture
TRIPLES = 3
VERSIONS = 7  # sizes tried per triple, nearest the finders' module size first
TRIES = 2  # of these read, best timing first
MIN_TIMING = 0.62
SURE_TIMING = 0.85
# the box sizes round to odd pixels at half resolution, so the peaks' module sizes come out
# low: the true one was 1.12 times that (median over bench/scan low_light levels 2 and 3)
MODULE_BIAS = 1.1
SMOOTH = 0.25  # Gaussian for finding the grid, in modules (the modules are read unsmoothed)
LEAK = 0.12  # of a neighbour's contrast in a module's value (bench/scan low_light: 0.1; see read_modules)
MIN_BIT_TIMING = 0.75  # timing modules read right: below this the grid is not this code's
_CROSS = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32)


def read_noisy(gray: Gray, deadline: float = math.inf, clock: Clock = time.perf_counter) -> list[Hit]:
    """The codes whose finders stand out of the noise by their zones' means; [] otherwise."""
    return read_peaks(gray, finder_peaks(gray), deadline, clock)


def read_peaks(gray: Gray, peaks: list[Finder], deadline: float = math.inf,
               clock: Clock = time.perf_counter) -> list[Hit]:
    """read_noisy after its finder search (finder_peaks): the triples of `peaks`, strongest
    first, until one reads or the deadline passes."""
    for tl, tr, bl in triples(peaks, limit=TRIPLES):
        if clock() > deadline:
            break
        hit = read_triple(gray, tl, tr, bl, lambda: clock() > deadline)
        if hit is not None:
            return [hit]
    return []


def finder_peaks(gray: Gray) -> list[Finder]:
    """Candidate finders, strongest first (dark on light), each with its module size; their
    corners are a square of seven modules (only the centres and sizes matter here)."""
    # half resolution: a quarter of the cost, and the finder's zones are still several pixels wide
    half = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    scales = [m / 2 for m in SCALES if 7 * m < min(gray.shape[:2])]
    peaks = _peaks(half.astype(np.float32), scales, 2.0) if scales else []
    peaks.sort(key=lambda p: -p[0])
    out: list[Finder] = []
    for value, x, y, m in peaks:
        if value < PEAK_SHARE * peaks[0][0] or len(out) == MAX_PEAKS:
            break
        if all(math.hypot(x - f.center[0], y - f.center[1]) > 4 * max(m, f.module) for f in out):
            out.append(_square((x, y), m))
    return out


def response(image: np.ndarray, m: float) -> np.ndarray:
    """Light ring minus the mean of the dark core and outline, for finders of m px per module:
    a weighted sum of three box sums (ring and outline are differences of nested boxes)."""
    a3, a5, a7 = (float(max(3, round(k * m) | 1)) ** 2 for k in (3, 5, 7))
    w3 = -1 / (a5 - a3) - 0.5 / a3
    w5 = 1 / (a5 - a3) + 0.5 / (a7 - a5)
    w7 = -0.5 / (a7 - a5)
    s3, s5, s7 = (cv2.boxFilter(image, -1, (int(math.sqrt(a)),) * 2, normalize=False) for a in (a3, a5, a7))
    out: np.ndarray = cv2.scaleAdd(s3, w3, cv2.scaleAdd(s5, w5, s7 * w7))
    return out


def _peaks(image: np.ndarray, scales: list[float], factor: float) -> list[tuple[float, float, float, float]]:
    """(response, x, y, module) in full-resolution pixels: the strongest separated maxima
    of the best response over the scales, each with the scale that gave it."""
    layers = [response(image, m) for m in scales]
    best = layers[0].copy()
    for layer in layers[1:]:
        cv2.max(best, layer, dst=best)
    found = []
    for _ in range(MAX_PEAKS):
        _, value, _, (x, y) = cv2.minMaxLoc(best)
        if value <= 0:
            break
        m = scales[int(np.argmax([layer[y, x] for layer in layers]))]
        found.append((value, (x + 0.5) * factor - 0.5, (y + 0.5) * factor - 0.5, m * factor))
        r = int(4 * m)
        best[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1] = -1.0
    return found


def _square(c: tuple[float, float], m: float) -> Finder:
    h = 3.5 * m
    corners = np.array([[c[0] - h, c[1] - h], [c[0] + h, c[1] - h], [c[0] + h, c[1] + h], [c[0] - h, c[1] + h]],
                       np.float32)
    return Finder(c, corners, m)


def read_triple(gray: Gray, tl: Finder, tr: Finder, bl: Finder,
                out_of_time: lt.OutOfTime = lt.never) -> Hit | None:
    """Read the code with these finders: the versions whose module size is nearest the
    finders', each grid put onto its finders and first alignment patterns and scored by its
    timing patterns (a tilt of 20° shifts the middle of an affine grid by a module or
    more); the best ones put onto all their alignment patterns and read."""
    module = (tl.module + tr.module + bl.module) / 3
    smooth = cv2.GaussianBlur(gray, (0, 0), SMOOTH * module)
    legs = (math.dist(tl.center, tr.center) + math.dist(tl.center, bl.center)) / 2
    expected = legs / (MODULE_BIAS * module) + 7
    sizes = sorted((17 + 4 * v for v in range(1, 41)), key=lambda n: abs(math.log((n - 7) / (expected - 7))))
    scored = []
    for n in sizes[:VERSIONS]:
        if out_of_time():
            return None
        hom = patterns.onto_alignment(smooth, patterns.onto_finders(smooth, _affine(tl, tr, bl, n), n), n, 2)
        scored.append((resample.timing_alternation(smooth, hom, n), n, hom))
        if scored[-1][0] >= SURE_TIMING:
            break  # this one alternates as only the right size does: read it
    scored.sort(key=lambda s: -s[0])
    for score, n, hom in scored[:TRIES]:
        if score < MIN_TIMING or out_of_time():
            break
        hom = patterns.onto_alignment(smooth, hom, n)
        c = lt.module_coords(0, n + 2 * lt.Q)
        pts = lt.through(hom, c, c)
        text = read_modules(gray, pts, n)
        if text is not None:
            return Hit(text, lt.corners(pts, n))
    return None


def read_modules(gray: Gray, pts: np.ndarray, n: int) -> str | None:
    """The text of the code whose module centres are `pts` (lattice.py), each module averaged
    over its whole cell of the unsmoothed image (smoothing first mixes in the neighbours),
    thresholded against the local mean, corrected for what its neighbours leak into it, and
    decoded with the least certain codewords of each block erased in turn (qrdecode)."""
    mx, my = dense(pts)
    values = md.module_values(cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), n,
                              whole=True)
    local = _local(values)
    spread = _local(np.abs(values - local)) + 1e-3
    dark = (values < local).astype(np.float32)
    # The lens and the webcam's compression leak about a tenth of each neighbour's level into a
    # module (measured on bench/scan low_light: 0.59 grey levels per dark neighbour against
    # 5.9 for the module itself): add back what the neighbours, as first read, took away.
    neighbours = cv2.filter2D(dark, -1, _CROSS, borderType=cv2.BORDER_REFLECT)
    values = values + LEAK * 2 * spread * (neighbours - 2)
    local = _local(values)
    spread = _local(np.abs(values - local)) + 1e-3
    read = values < local
    if md.timing_score(read) < MIN_BIT_TIMING:
        return None
    text = md.read_bits(read)
    if text is not None:
        return text
    try:
        return qrdecode.decode(md.restore(read), certainty=np.abs(values - local) / spread)
    except qrdecode.QRError:
        return None


def _local(values: np.ndarray) -> np.ndarray:
    out: np.ndarray = cv2.GaussianBlur(values, (0, 0), md.THRESHOLD_WINDOW, borderType=cv2.BORDER_REFLECT)
    return out


def _affine(tl: Finder, tr: Finder, bl: Finder, n: int) -> np.ndarray:
    """Module coordinates of an n-module code to the image, through the finders' centres."""
    src = np.array(patterns.finder_centres(n), np.float32)
    dst = np.array([tl.center, tr.center, bl.center], np.float32)
    out: np.ndarray = np.vstack([cv2.getAffineTransform(src, dst), [0.0, 0.0, 1.0]])
    return out
