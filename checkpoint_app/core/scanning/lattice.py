"""The module grid of a bent code, grown outward from its top-left finder.

A fold, a curl or a crumple moves modules by several module widths away from where any
map through the three finders puts them, but from one module row to the next the grid
changes only a little. So the grid is grown: a lattice of module centres starts from the
top-left finder's own corners, grows along the top band to the top-right finder (which
fixes the code's size), then row by row down to the bottom. Each new row is extrapolated
from the two above it and then measured: resampled onto a flat picture of K pixels per
module, module edges must fall on multiples of K, and the phase of the edge energy at
the module frequency says how far they are off (at most half a module, which one row of
extrapolation stays within)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from checkpoint_app.core.scanning import phase_kernels as kn
from checkpoint_app.core.scanning.finders import Finder
from checkpoint_app.core.scanning.phase import correct, measure, smoother
from checkpoint_app.core.scanning.preprocess import Gray

OutOfTime = Callable[[], bool]  # True once the frame's budget is spent: stop and give up


def never() -> bool:
    return False


Q = 2  # lattice margin in modules around the code
STEP = 1  # rows per growth step
MIN_TIMING = 0.7


def finder_points(f: Finder, origin: tuple[float, float], u_dir: np.ndarray,
                  v_dir: np.ndarray) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Module coordinates and image points of one finder's centre and outer corners; origin
    is the module coordinate of its top-left corner, u_dir/v_dir the code's axes in the image
    (which of the finder's corners is which depends on them, not on the image)."""
    basis = np.linalg.inv(np.array([u_dir, v_dir], np.float64).T)
    src, dst = [(origin[0] + 3.5, origin[1] + 3.5)], [(float(f.center[0]), float(f.center[1]))]
    for corner in f.corners:
        du, dv = basis @ (corner - np.array(f.center))
        src.append((origin[0] + (7 if du > 0 else 0), origin[1] + (7 if dv > 0 else 0)))
        dst.append((float(corner[0]), float(corner[1])))
    return src, dst


def finder_homography(f: Finder, origin: tuple[float, float], u_dir: np.ndarray, v_dir: np.ndarray) -> np.ndarray:
    """Homography from module coordinates to the image through one finder (finder_points)."""
    src, dst = finder_points(f, origin, u_dir, v_dir)
    hom, _ = cv2.findHomography(np.array(src, np.float32), np.array(dst, np.float32), 0)
    return hom if hom is not None else np.eye(3)


def through(hom: np.ndarray, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """Image points of the module coordinates us x vs (a block of the lattice)."""
    uu, vv = np.meshgrid(us, vs)
    pts = cv2.perspectiveTransform(np.dstack((uu, vv)).astype(np.float32).reshape(-1, 1, 2), hom)
    return pts.reshape(len(vs), len(us), 2)


def module_coords(first: int, count: int) -> np.ndarray:
    """Module coordinates of lattice indices first..first+count-1."""
    return np.arange(first, first + count, dtype=np.float32) - Q + 0.5


def grow_rows(gray: Gray, pts: np.ndarray, start: int, stop: int, inner: slice,
              until: np.ndarray | None = None, out_of_time: OutOfTime = never) -> int:
    """Fill lattice rows start..stop-1 from the rows above, in place, one row per step; returns
    the row after the last one filled. Only the `inner` columns (the code) are measured: the
    margins on either side (quiet zone, nothing to measure) continue the code's edge columns.
    With `until`, growth stops a few rows after the middle inner column passes that point.
    Returns -1 when `out_of_time` says so before the end."""
    smooth = smoother(inner.stop - inner.start)
    nearest = None if until is None else _Nearest(pts, inner, until)
    lo = r1 = start
    for r0 in range(start, stop, STEP):
        if out_of_time():
            return -1
        r1 = min(r0 + STEP, stop)
        end = min(r1 + 2, pts.shape[0])
        # the new rows extrapolated from the two above, and the margins of every row of the
        # block (the rows corrected in the last step included)
        kn.extrapolate(pts, r0, end, inner.start, inner.stop, smooth)
        lo = r0 - 3
        block = pts[lo:end]
        # the last rows grown are measured again, now with rows on both sides of them
        fix = slice(1, min(r1 - lo, end - lo - 1))
        correct(block, measure(gray, block, fix), fix, inner)
        pts[r1:end] = np.nan
        if nearest is not None and nearest.passed(lo + 1, r1):
            break
    _margins(pts[lo:r1], inner)  # the rows corrected in the last step
    return r1 if nearest is not None and r1 < stop else stop


def margins_all(pts: np.ndarray, inner: slice) -> None:
    """Rows and columns outside `inner` (on both axes) continue the code's edges (in place)."""
    _margins(pts, inner)
    rows = pts.transpose(1, 0, 2)  # a view: filling its margin columns fills pts's margin rows
    _margins(rows, inner)


def _margins(block: np.ndarray, inner: slice) -> None:
    """Columns outside `inner` continue its edge columns' spacing (in place)."""
    kn.margins(block, inner.start, inner.stop)


class _Nearest:
    """Which grown row's middle point is nearest `target`. A growth step rewrites only its last
    few rows, so the rows before them are searched once, as they settle, instead of every row
    at every step (that search was a tenth of the bent reader's time)."""

    def __init__(self, pts: np.ndarray, inner: slice, target: np.ndarray) -> None:
        self._col = pts[:, ((inner.start or 0) + (inner.stop or pts.shape[1])) // 2]  # a view
        self._target = target
        self._settled = 0  # rows before this no longer change
        self._best = (np.inf, -1)  # distance and row of the nearest settled row

    def passed(self, settled: int, r1: int) -> bool:
        """True once the grown rows (up to r1) are more than 8 rows past the nearest one."""
        if settled > self._settled:
            d, i = self._search(self._settled, settled)
            if d < self._best[0]:
                self._best = (d, i)
            self._settled = settled
        d, i = self._search(self._settled, r1)
        nearest = self._best[1] if self._best[0] <= d else i
        return r1 - nearest > 8

    def _search(self, first: int, stop: int) -> tuple[float, int]:
        if stop <= first:
            return np.inf, -1
        off = self._col[first:stop] - self._target
        d = (off * off).sum(axis=1)  # squared distances: the same order, no square roots
        i = int(np.argmin(d))
        return float(d[i]), first + i


def grow(gray: Gray, tl: Finder, tr: Finder, bl: Finder, length: int,
         out_of_time: OutOfTime = never) -> tuple[np.ndarray, int] | None:
    """The lattice of the code with these finders and its size in modules (where the grown
    top band meets tr); None if it never does."""
    u_dir, v_dir = np.subtract(tr.center, tl.center), np.subtract(bl.center, tl.center)
    pts = np.full((length, length, 2), np.nan, np.float32)
    band = 2 * Q + 8  # module rows -Q .. 7 + Q: the finders' rows with a margin either side
    c = module_coords(0, band)
    pts[:band, :Q + 8] = through(finder_homography(tl, (0, 0), u_dir, v_dir), c[:Q + 8], c)
    top = np.ascontiguousarray(pts[:band].transpose(1, 0, 2))  # the band, columns as rows
    end = grow_rows(gray, top, Q + 8, length, slice(Q, Q + 8), np.array(tr.center, np.float32), out_of_time)
    if end < 0:
        return None
    row = top[:end, Q + 3]
    dist = np.linalg.norm(row - np.array(tr.center, np.float32), axis=1)
    i = int(np.nanargmin(dist))
    n = round((i - Q + 4 - 17) / 4) * 4 + 17
    if dist[i] > 1.5 * tr.module or n < 21 or n + 2 * Q > length:
        return None
    pts = np.ascontiguousarray(pts[:n + 2 * Q, :n + 2 * Q])
    pts[:band] = top[:n + 2 * Q].transpose(1, 0, 2)
    _anchor(pts, finder_homography(tr, (n - 7, 0), u_dir, v_dir), n - 7 + Q, slice(0, band))
    if timing_row(gray, pts, n) < MIN_TIMING:
        return None  # the band does not run along this code's timing pattern: not worth growing on
    if grow_rows(gray, pts, Q + 8, n + 2 * Q, slice(Q, Q + n), None, out_of_time) < 0:
        return None
    return pts, n


def timing_row(gray: Gray, pts: np.ndarray, n: int) -> float:
    """How well the modules of row 6 between the top finders alternate (1.0: all of them)."""
    row = pts[Q + 6, Q + 8:Q + n - 8]
    values = cv2.remap(gray, row[None, :, 0], row[None, :, 1], cv2.INTER_LINEAR)[0].astype(np.float32)
    if values.size < 4:
        return 0.0
    dark = values < cv2.GaussianBlur(values[None, :], (0, 0), 3.0, borderType=cv2.BORDER_REFLECT)[0]
    return float(np.mean(dark == (np.arange(values.size) % 2 == 0)))


def _anchor(pts: np.ndarray, hom: np.ndarray, first: int, rows: slice, blend: int = 3) -> None:
    """Put the lattice columns from `first` on (within `rows`) where a finder's homography
    says, fading in over `blend` columns before it so the grown part joins smoothly."""
    r0, r1 = rows.start or 0, rows.stop
    cols = np.arange(first - blend, pts.shape[1])
    want = through(hom, module_coords(int(cols[0]), len(cols)), module_coords(r0, r1 - r0))
    w = np.clip((cols - (first - blend)) / blend, 0, 1).astype(np.float32)[None, :, None]
    pts[r0:r1, cols[0]:] = w * want + (1 - w) * pts[r0:r1, cols[0]:]


def corners(pts: np.ndarray, n: int) -> tuple[tuple[float, float], ...]:
    """Image corners of the code (its outer module boundaries), from the outermost lattice
    points half a module further out."""
    q = Q
    inner = [pts[q, q], pts[q, q + n - 1], pts[q + n - 1, q + n - 1], pts[q + n - 1, q]]
    centre = np.mean(inner, axis=0)
    scale = n / max(n - 1, 1)
    return tuple((float(x), float(y)) for x, y in ((p - centre) * scale + centre for p in inner))
