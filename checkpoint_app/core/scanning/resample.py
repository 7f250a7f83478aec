"""Read a code zxing-cpp found but could not decode, by sampling it ourselves.

zxing-cpp often locates a symbol and even reads its version, then fails the Reed-Solomon
check: a highlight clipped part of it, the modules are too small or noisy for its
binarizer. Its corners and version give the module grid (a homography, then moved onto
the module edges by measurement, lattice.py); our sampler averages each module instead of
reading one pixel, thresholds it against its neighbourhood, and our decoder treats what
the highlight clipped as erasures (modules.read_grid). It runs as the ladder attempt
"roi-resample" on regions of interest."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

from checkpoint_app.core.scanning import lattice as lt
from checkpoint_app.core.scanning import modules as md
from checkpoint_app.core.scanning import phase as ph
from checkpoint_app.core.scanning.decoders import QR_ONLY, Hit, full_qr, version_of
from checkpoint_app.core.scanning.finders import Finder, side_coefficients
from checkpoint_app.core.scanning.preprocess import Gray

Clock = Callable[[], float]
REFINE = 2  # measurement passes over the whole grid


def read_located(gray: Gray, deadline: float = math.inf, clock: Clock = time.perf_counter,
                 locate: Callable[[Gray], Gray] | None = None, scale: float = 1.0) -> list[Hit]:
    """Codes zxing-cpp locates (and maybe reads) in `gray`, or in locate(gray) when given (a
    denoised or upscaled copy, `scale` times the size), read through our own sampling of
    `gray` itself: the module average is the best filter for noise, and it needs no copy."""
    found = zxingcpp.read_barcodes(gray if locate is None else locate(gray), formats=QR_ONLY, try_rotate=True,
                                   try_downscale=True, return_errors=True)
    hits = []
    for r in found:
        if not full_qr(r):
            continue
        quad = np.array(_zx_corners(r.position), np.float32) / scale
        if r.valid:
            hits.append(Hit(str(r.text), tuple((float(x), float(y)) for x, y in quad)))
            continue
        version = version_of(r)
        if not version.isdigit() or clock() > deadline:
            continue
        hit = read_at(gray, quad, int(version), lambda: clock() > deadline)
        if hit is not None:
            hits.append(hit)
    return hits


def read_at(gray: Gray, quad: np.ndarray, version: int, out_of_time: lt.OutOfTime = lt.never) -> Hit | None:
    """Read a symbol of `version` whose outer corners (clockwise from its top-left) are `quad`."""
    n = 17 + 4 * version
    src = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    return read_through(gray, cv2.getPerspectiveTransform(src, quad.astype(np.float32)), n, out_of_time)


TIMING_FIRST = 0.7  # timing modules that must alternate before a version is read in full
FLAT_TRIES = 2  # versions read in full, best timing first


def read_flat(gray: Gray, tl: Finder, tr: Finder, bl: Finder, out_of_time: lt.OutOfTime = lt.never) -> Hit | None:
    """A flat code from its three finders alone: a homography through their corners for each
    version their spacing allows; only the versions whose timing patterns alternate under
    that homography (a few dozen samples, not the whole grid) are read in full."""
    scored = []
    for version in guess_versions(tl, tr, bl):
        n = 17 + 4 * version
        hom = _finder_homography(tl, tr, bl, n)
        if hom is not None:
            scored.append((timing_alternation(gray, hom, n), n, hom))
    scored.sort(key=lambda s: -s[0])
    for score, n, hom in scored[:FLAT_TRIES]:
        if score < TIMING_FIRST or out_of_time():
            break
        hit = read_through(gray, hom, n, out_of_time)
        if hit is not None:
            return hit
    return None


def _finder_homography(tl: Finder, tr: Finder, bl: Finder, n: int) -> np.ndarray | None:
    u_dir, v_dir = np.subtract(tr.center, tl.center), np.subtract(bl.center, tl.center)
    src, dst = [], []
    for f, origin in ((tl, (0, 0)), (tr, (n - 7, 0)), (bl, (0, n - 7))):
        s_pts, d_pts = lt.finder_points(f, origin, u_dir, v_dir)
        src += s_pts
        dst += d_pts
    hom, _ = cv2.findHomography(np.array(src, np.float32), np.array(dst, np.float32), 0)
    return hom


def timing_alternation(gray: Gray, hom: np.ndarray, n: int) -> float:
    """Share of the timing modules (row 6 and column 6 between the finders) that come out dark
    and light in turn when sampled through `hom` (module coordinates to image): 1.0 on the
    right grid, about 0.5 on a grid of the wrong size."""
    idx = np.arange(8, n - 8, dtype=np.float32) + 0.5
    offsets = np.array([(0, 0), (-0.25, 0), (0.25, 0), (0, -0.25), (0, 0.25)], np.float32)
    row = np.stack([idx, np.full_like(idx, 6.5)], axis=1)
    pts = np.concatenate([row, row[:, ::-1]])  # row 6, then column 6
    where = cv2.perspectiveTransform((pts[:, None, :] + offsets[None, :, :]).reshape(-1, 1, 2), hom.astype(np.float64))
    maps = where.reshape(1, -1, 2).astype(np.float32)
    values = cv2.remap(gray, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    values = values.reshape(2, len(idx), len(offsets)).astype(np.float32).mean(axis=2)
    want = (np.arange(len(idx)) % 2) == 0  # module 8 of the timing pattern is dark
    score = 0.0
    for line in values:
        local = np.convolve(np.pad(line, 2, mode="reflect"), np.ones(5) / 5, mode="valid")
        score += float(np.mean((line < local) == want)) / 2
    return score


def guess_versions(tl: Finder, tr: Finder, bl: Finder) -> list[int]:
    """The versions the finders' spacing suggests along each leg, nearest first."""
    counts = [_modules_between(tl, tr), _modules_between(tl, bl)]
    guesses = {round((c - 10) / 4) for c in counts}
    near = sorted({g + d for g in guesses for d in (0, -1, 1)}, key=lambda v: min(abs(v - g) for g in guesses))
    return [v for v in near if 1 <= v <= 40][:4]


def _modules_between(a: Finder, b: Finder) -> float:
    """Modules between two finders' centres: the leg in units of each finder's own sides (7
    modules each), averaged over both ends. Projecting the finder's corners onto the leg
    instead counts the other side too wherever the code is sheared (a strong tilt): a 62°
    tilt measured 29 modules where there were 46, and every version guess missed."""
    leg = np.subtract(b.center, a.center)
    counts = [7 * float(c.max()) for f in (a, b) if (c := side_coefficients(f, leg)) is not None]
    if not counts:
        return float(np.linalg.norm(leg)) / max((a.module + b.module) / 2, 1e-6)
    return sum(counts) / len(counts)


def read_through(gray: Gray, hom: np.ndarray, n: int, out_of_time: lt.OutOfTime = lt.never) -> Hit | None:
    """Read an n-module code whose module coordinates map to the image through `hom`."""
    c = lt.module_coords(0, n + 2 * lt.Q)
    pts = lt.through(hom, c, c)
    inner = slice(lt.Q, lt.Q + n)
    for _ in range(REFINE):
        ph.correct(pts, ph.measure(gray, pts, inner), inner, inner)
        lt.margins_all(pts, inner)
    text = md.read_grid(gray, pts, n, out_of_time=out_of_time)
    return None if text is None else Hit(text, lt.corners(pts, n))


def _zx_corners(pos: zxingcpp.Position) -> tuple[tuple[float, float], ...]:
    points = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
    return tuple((float(p.x), float(p.y)) for p in points)
