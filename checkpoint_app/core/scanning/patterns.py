"""Put a code's module grid where its fixed patterns are: the three finders and every
alignment pattern, each found by correlation near where the current grid puts it.

Three finders fix only an affine map; a code tilted 20° drifts by a module or more towards
its bottom-right corner, where no finder is. The alignment patterns are there (every
version from 2 on), and each one found adds a point to a least-squares homography, the
nearest first so that the next one is looked for where the grid is already right. Matching
whole patterns (25 or 49 modules) instead of module edges is what works under heavy sensor
noise: at a gain of 0.05 (noise about as large as the code's contrast) the edge phase of
lattice.py moved grids the wrong way, while these correlations still found every pattern.
Matching is done on a flat picture of the neighbourhood (module coordinates, K pixels per
module), so the template does not depend on the pose."""

from __future__ import annotations

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray
from checkpoint_app.core.scanning.qrspec import alignment_centres

K = 4  # flat pixels per module
SEARCH = 2.0  # modules either way around the predicted centre
MIN_SCORE = 0.3  # normalised correlation below this is not the pattern


def _pattern(size: int) -> np.ndarray:
    """A finder (7) or an alignment pattern (5): dark ring, light ring, dark centre; as a
    flat template (dark 0, light 1)."""
    dark = np.ones((size, size), bool)
    dark[1:-1, 1:-1] = False
    dark[2:-2, 2:-2] = True
    out: np.ndarray = np.where(np.kron(dark, np.ones((K, K), bool)), 0.0, 1.0).astype(np.float32)
    return out


_TEMPLATES = {7: _pattern(7), 5: _pattern(5)}


def flat_patch(gray: Gray, hom: np.ndarray, centre: tuple[float, float], half: float) -> np.ndarray:
    """The square of module coordinates centre +- half, resampled at K pixels per module."""
    s = (np.arange(-half * K, half * K, dtype=np.float32) + 0.5) / K
    uu, vv = np.meshgrid(centre[0] + s, centre[1] + s)
    grid = np.dstack((uu, vv)).reshape(-1, 1, 2).astype(np.float32)
    pts = cv2.perspectiveTransform(grid, hom).reshape(len(s), len(s), 2)
    return cv2.remap(gray, pts[..., 0], pts[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def locate(gray: Gray, hom: np.ndarray, centre: tuple[float, float], size: int) -> tuple[tuple[float, float], float]:
    """Where the pattern of `size` modules that `hom` puts at module coordinates `centre`
    really is (module coordinates, to a fraction of a module), and its correlation."""
    flat = flat_patch(gray, hom, centre, size / 2 + SEARCH).astype(np.float32)
    res = cv2.matchTemplate(flat, _TEMPLATES[size], cv2.TM_CCOEFF_NORMED)
    _, score, _, (x, y) = cv2.minMaxLoc(res)
    fx = x + _vertex(res[y, x - 1:x + 2]) if 0 < x < res.shape[1] - 1 else float(x)
    fy = y + _vertex(res[y - 1:y + 2, x]) if 0 < y < res.shape[0] - 1 else float(y)
    return (centre[0] + fx / K - SEARCH, centre[1] + fy / K - SEARCH), float(score)


def _vertex(three: np.ndarray) -> float:
    """Sub-pixel offset of a peak from its two neighbours (a parabola through three values)."""
    a, b, c = (float(v) for v in three)
    curve = a - 2 * b + c
    return 0.0 if abs(curve) < 1e-9 else float(np.clip(0.5 * (a - c) / curve, -0.5, 0.5))


def refine(gray: Gray, hom: np.ndarray, n: int) -> np.ndarray:
    """`hom` (module coordinates of an n-module code to the image) moved onto the code's own
    finders and then its alignment patterns; patterns that do not correlate are left out."""
    return onto_alignment(gray, onto_finders(gray, hom, n), n)


def finder_centres(n: int) -> list[tuple[float, float]]:
    """Module coordinates of the top-left, top-right and bottom-left finders' centres."""
    return [(3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5)]


def onto_finders(gray: Gray, hom: np.ndarray, n: int) -> np.ndarray:
    """`hom` corrected so that the three finders are exactly where they correlate best (an
    affine correction: three points fix no perspective)."""
    modules = finder_centres(n)
    image = [_through(hom, locate(gray, hom, c, 7)[0]) for c in modules]
    return _fit(modules, image, hom)


def onto_alignment(gray: Gray, hom: np.ndarray, n: int, limit: int = 99) -> np.ndarray:
    """`hom` fitted through the finders and each alignment pattern found near where the grid
    so far puts it, nearest the top-left first (the first `limit` of them)."""
    modules = finder_centres(n)
    image = [_through(hom, c) for c in modules]
    for col, row in sorted(alignment_centres((n - 17) // 4), key=sum)[:limit]:
        centre = (col + 0.5, row + 0.5)
        found, score = locate(gray, hom, centre, 5)
        if score >= MIN_SCORE:
            modules.append(centre)
            image.append(_through(hom, found))
            hom = _fit(modules, image, hom)
    return hom


def _through(hom: np.ndarray, p: tuple[float, float]) -> tuple[float, float]:
    x, y = cv2.perspectiveTransform(np.array([[p]], np.float32), hom)[0, 0]
    return float(x), float(y)


def _fit(modules: list[tuple[float, float]], image: list[tuple[float, float]], old: np.ndarray) -> np.ndarray:
    """A least-squares homography through the found centres; with only the three finders, the
    old map corrected by the image-space affine map that moves its finders onto them (three
    points fix no perspective, so the old map keeps what it had)."""
    src, dst = np.array(modules, np.float32), np.array(image, np.float32)
    if len(src) >= 4:
        hom, _ = cv2.findHomography(src, dst, 0)
        return hom if hom is not None else old
    predicted = cv2.perspectiveTransform(src[:3].reshape(-1, 1, 2), old).reshape(-1, 2)
    affine = np.vstack([cv2.getAffineTransform(predicted, dst[:3]), [0.0, 0.0, 1.0]])
    out: np.ndarray = affine @ old
    return out
