"""Compiled loops for phase.py and lattice.py (numba): one growth step of a bent code's
lattice, the edge measurement and the correction it leads to.

The growth in lattice.py takes one step per module row, 50-90 steps per code, and each step
is a few hundred small array operations on a block of six lattice rows. As numpy calls
that cost about 170 microseconds a step, nearly all of it call overhead, which made the
bent-paper reader too slow for the live budget on most printed codes (docs/benchmarks.md).
Compiled, a step is a tight loop over the pixels it needs.

How they are compiled and cached, and what happens when the cache cannot be used:
compiled.py. The arithmetic is phase.py's, written out: the same weights (passed in, made and kept by
phase.py), summed only where a Gaussian weight is not negligible (WINDOW standard
deviations: the rest adds less than one part in a thousand)."""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from checkpoint_app.core.scanning import compiled
from checkpoint_app.core.scanning.compiled import kernel

log = logging.getLogger("checkpoint.scan")
WINDOW = 4.0
K = 4  # flat pixels per module
# damped: a full step overshoots, because moving a row also moves the rows extrapolated from it
DAMPING = 0.7
LIMIT = 0.35  # modules per correction: a phase near half a module may belong to the next edge


@kernel()
def _span(centre: float, sigma: float, size: int) -> tuple[int, int]:
    lo = max(0, math.floor(centre - WINDOW * sigma))
    hi = min(size, math.ceil(centre + WINDOW * sigma) + 1)
    return lo, hi


@kernel(fastmath=True)
def _add(into: np.ndarray, row: np.ndarray, weight: float) -> None:
    for x in range(row.size):
        into[x] += weight * row[x]


@kernel(fastmath=True)
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    total = np.float32(0.0)
    for x in range(a.size):
        total += a[x] * b[x]
    return float(total)


@kernel(fastmath=True)
def measure(flat: np.ndarray, lut: np.ndarray, r0: int, r1: int, c1: int, rows_x: np.ndarray,
            cols_x: np.ndarray, rows_y: np.ndarray, cols_y: np.ndarray, across: float,
            along: float) -> tuple[np.ndarray, np.ndarray]:
    """phase.measure from the flat picture (its bytes, through `lut`: their logs): (offset,
    trust), each (2, rows, cols)."""
    k = K
    h, w = flat.shape
    f = np.empty((h, w), np.float32)
    for y in range(h):
        for x in range(w):
            f[y, x] = lut[flat[y, x]]
    ex = np.abs(f[:, 1:] - f[:, :-1])  # edges across x, at flat column x + 1
    ey = np.abs(f[1:, :] - f[:-1, :])  # edges across y, at flat row y + 1
    n_r = r1 - r0
    s_across, s_along = across * k, along * k
    both = np.zeros((6, n_r, c1), np.float32)  # re, im, energy of x edges; then of y edges
    # (The loops run over slices from index 0: numba then knows no index is negative, and
    # the loops vectorise; indexing with the window's own bounds was ten times slower.)
    # x edges: first the rows' plain weights down the flat rows, then cos/sin/plain along x
    t = np.zeros(w - 1, np.float32)
    for i in range(n_r):
        lo, hi = _span((r0 + i + 0.5) * k - 0.5, s_across, h)
        t[:] = 0.0
        for y in range(lo, hi):
            _add(t, ex[y], rows_x[i, y])
        for c in range(c1):
            lo, hi = _span((c + 0.5) * k - 0.5, s_along, w - 1)
            both[0, i, c] = _dot(t[lo:hi], cols_x[c, lo:hi])
            both[1, i, c] = _dot(t[lo:hi], cols_x[c1 + c, lo:hi])
            both[2, i, c] = _dot(t[lo:hi], cols_x[2 * c1 + c, lo:hi])
    # y edges: cos/sin/plain down the flat rows first, then plain weights along x
    u = np.zeros((3, w), np.float32)
    for i in range(n_r):
        lo, hi = _span((r0 + i + 0.5) * k - 0.5, s_across, h - 1)
        u[:, :] = 0.0
        for y in range(lo, hi):
            for q in range(3):
                _add(u[q], ey[y], rows_y[q * n_r + i, y])
        for c in range(c1):
            lo, hi = _span((c + 0.5) * k - 0.5, s_along, w)
            for q in range(3):
                both[3 + q, i, c] = _dot(u[q, lo:hi], cols_y[c, lo:hi])
    offset = np.empty((2, n_r, c1), np.float32)
    strength = np.empty((2, n_r, c1), np.float32)
    typical = np.zeros(2, np.float32)
    for a in range(2):
        for i in range(n_r):
            for c in range(c1):
                re, im = both[3 * a, i, c], both[3 * a + 1, i, c]
                offset[a, i, c] = math.atan2(im, re) * (-1.0 / (2.0 * math.pi))
                s = math.hypot(re, im)
                strength[a, i, c] = s
                typical[a] += s
        typical[a] = typical[a] / (n_r * c1) + 1e-6
    # trust: how much edge there is at a point, and how much of it is in step with the grid;
    # a blank stretch (a finder's core, the quiet zone) has little, its phase is noise from
    # edges further away, and it then follows its neighbours and the extrapolation
    trust = np.empty((2, n_r, c1), np.float32)
    for a in range(2):
        for i in range(n_r):
            for c in range(c1):
                s = strength[a, i, c]
                v = s * s / ((both[3 * a + 2, i, c] + 1e-3) * (s + 0.5 * typical[a]))
                trust[a, i, c] = min(max(v, 0.0), 1.0)
    return offset, trust


@kernel()
def _clip(d: float) -> float:
    return min(max(d, -LIMIT), LIMIT)


@kernel(fastmath=True)
def correct(block: np.ndarray, offset: np.ndarray, trust: np.ndarray, r0: int, r1: int, c0: int, c1: int,
            smooth: np.ndarray, sigma: float) -> None:
    """phase.correct, in place: neighbours along a row share their measurements (the
    `smooth` weights, a Gaussian of `sigma` columns), weighted by how sure each one is."""
    n_r, n_c = r1 - r0, c1 - c0
    reach = math.ceil(WINDOW * sigma)
    wo = np.empty((4, n_c), np.float32)  # one row's weighted offsets (2) and weights (2)
    move = np.empty((n_r, n_c, 2), np.float32)
    for i in range(n_r):
        for a in range(2):
            for j in range(n_c):
                t = trust[a, i, c0 + j]
                wo[a, j] = t * t * offset[a, i, c0 + j]
                wo[2 + a, j] = t * t
        r = r0 + i
        for j in range(n_c):
            lo, hi = max(0, j - reach), min(n_c, j + reach + 1)
            g = smooth[j, lo:hi]
            du = _clip(_dot(wo[0, lo:hi], g) / (_dot(wo[2, lo:hi], g) + 1e-6))
            dv = _clip(_dot(wo[1, lo:hi], g) / (_dot(wo[3, lo:hi], g) + 1e-6))
            c = c0 + j
            for z in range(2):
                ju = (block[r, c + 1, z] - block[r, c - 1, z]) / 2
                jv = (block[r + 1, c, z] - block[r - 1, c, z]) / 2
                move[i, j, z] = DAMPING * (du * ju + dv * jv)
    for i in range(n_r):
        for j in range(n_c):
            for z in range(2):
                block[r0 + i, c0 + j, z] += move[i, j, z]


@kernel()
def extrapolate(pts: np.ndarray, r0: int, end: int, a: int, b: int, smooth: np.ndarray) -> None:
    """lattice.grow_rows' guess for rows r0..end-1 (in place): row r0 - 1 continued by the
    slope between rows r0 - 3 and r0 - 1, smoothed along the row, for the `a`..`b` columns;
    then the margins of rows r0 - 3..end-1 (margins)."""
    n = b - a
    slope = np.zeros((n, 2), np.float32)
    for j in range(n):
        wsum = np.float32(0.0)
        for m in range(n):
            g = smooth[j, m]
            wsum += g
            for z in range(2):
                slope[j, z] += g * (pts[r0 - 1, a + m, z] - pts[r0 - 3, a + m, z]) / 2
        for z in range(2):
            slope[j, z] /= wsum
    for r in range(r0, end):
        ahead = r - r0 + 1
        for j in range(n):
            for z in range(2):
                pts[r, a + j, z] = pts[r0 - 1, a + j, z] + ahead * slope[j, z]
    margins(pts[r0 - 3:end], a, b)


@kernel()
def margins(block: np.ndarray, a: int, b: int) -> None:
    """Columns outside a..b-1 continue the spacing of the edge columns (in place)."""
    rows, cols = block.shape[0], block.shape[1]
    for r in range(rows):
        for z in range(2):
            left, step = block[r, a, z], block[r, a, z] - block[r, a + 1, z]
            for c in range(a):
                block[r, c, z] = left + (a - c) * step
            right, step = block[r, b - 1, z], block[r, b - 1, z] - block[r, b - 2, z]
            for c in range(b, cols):
                block[r, c, z] = right + (c - b + 1) * step


_ready: bool | None = None


def warm() -> bool:
    """Compile every kernel now (or load it from the disk cache), on small inputs of the
    types and layouts the readers pass: a first call otherwise compiles in the middle of a
    frame's budget (10-13 s the first time on a machine, 0.2-0.5 s from the cache). Once per
    process: ScanPipeline.decode calls it before its first frame's clock starts;
    `scripts/setup.sh` and `checkpoint-app selftest` call it so that the compiling is done
    at installation. False when they cannot be compiled at all (compiled.prepare)."""
    global _ready
    if _ready is None:
        start = time.perf_counter()
        _ready = compiled.prepare(_run_each)
        took = time.perf_counter() - start
        compiled.settle()
        if _ready and compiled.uncached:
            log.warning("compiled the grid readers in %.1f s; no folder for numba's cache is usable "
                        "(the user's cache folder or NUMBA_CACHE_DIR), so this is done at every start", took)
        elif _ready and took > 2.0:
            log.info("compiled the grid readers in %.1f s (once per installation)", took)
    return _ready


def _run_each() -> None:
    size = 6
    flat = np.zeros((size * K, size * K), np.uint8)
    lut = np.zeros(256, np.float32)
    weights = np.ones((3 * size, size * K), np.float32)
    offset = trust = np.zeros((2, 1, size), np.float32)
    smooth = np.ones((size - 2, size - 2), np.float32)
    measure(flat, lut, 1, 2, size, weights[:1], weights, weights, weights[:size], 0.5, 2.0)
    block = np.zeros((size, size, 2), np.float32)
    correct(block, offset, trust, 1, 2, 1, size - 1, smooth, 1.5)
    extrapolate(block, 3, size, 1, size - 1, smooth)
    margins(block, 1, size - 1)
    margins(block.transpose(1, 0, 2), 1, size - 1)  # lattice.margins_all's view
