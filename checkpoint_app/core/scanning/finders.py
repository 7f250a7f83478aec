"""Finder patterns by their shape: a dark square holding a light ring holding a dark square.

zxing-cpp looks for the 1:1:3:1:1 run pattern along scan lines, which a crease, a curl or
a strong perspective bends out of shape. Nested contours of a binarized image survive
that: the three finders of a bent printout still show as three blobs with a hole with a
blob inside. Only candidates and their outer corners come out of here; which three form
a code is decided by `triples`, and whether they really do by the grid fit (grid.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray

MIN_SIDE = 8.0  # px: a finder of 7 modules below ~1.2 px per module is not resolved anyway


@dataclass(frozen=True)
class Finder:
    center: tuple[float, float]
    corners: np.ndarray  # 4x2 outer corners (estimated from the ring when the outline merged)
    module: float  # px per module


def find_finders(gray: Gray, blocks: tuple[int, ...] = (10, 5)) -> list[Finder]:
    """Candidate finder patterns in a gray image, largest first (dark on light; an inverted
    code is found by passing 255 - gray). The adaptive threshold's window is a tenth of the
    image first; when that leaves fewer than three candidates, other windows are tried."""
    h, w = gray.shape[:2]
    out: list[Finder] = []
    for div in blocks:
        block = max(11, (min(h, w) // div) | 1)
        out = _distinct(sorted(out + _candidates(gray, block), key=lambda f: -f.module))
        if len(out) >= 3:
            break
    return out


def _candidates(gray: Gray, block: int) -> list[Finder]:
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 4)
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]
    whole: list[Finder] = []
    merged: list[Finder] = []
    for i, ring in enumerate(contours):
        core = tree[i][2]
        if tree[i][3] < 0 or core < 0 or tree[core][2] >= 0:
            continue
        outer = contours[tree[i][3]]
        f = _finder(outer, ring, contours[core])
        if f is not None:
            whole.append(f)
        elif len(whole) < 3:
            g = _merged(ring, contours[core])
            if g is not None:
                merged.append(g)
    # a finder whose dark outline merged with dark modules around it (blur, ink spread) is
    # only known by its ring and core; such candidates fill in when whole ones are missing
    return whole + merged if len(whole) < 3 else whole


def _finder(outer: np.ndarray, ring: np.ndarray, core: np.ndarray) -> Finder | None:
    a_out, a_ring, a_core = (cv2.contourArea(c) for c in (outer, ring, core))
    if a_core < 4 or a_out < MIN_SIDE * MIN_SIDE:
        return None
    # 49 : 25 : 9 for a clean finder; ink spread and blur move these, so the bounds are loose
    if not (2.5 < a_out / a_core < 16 and 1.3 < a_ring / a_core < 8 and 1.3 < a_out / a_ring < 4):
        return None
    hull = cv2.convexHull(outer)
    if cv2.contourArea(hull) > 1.35 * a_out:
        return None  # not a solid square: a blob of text or a busy region
    (cx, cy), _ = cv2.minEnclosingCircle(core)
    m_out = cv2.moments(outer)
    ox, oy = m_out["m10"] / m_out["m00"], m_out["m01"] / m_out["m00"]
    if math.hypot(cx - ox, cy - oy) > 0.25 * math.sqrt(a_out):
        return None
    return Finder((ox, oy), _quad(hull), math.sqrt(a_out) / 7.0)


def _merged(ring: np.ndarray, core: np.ndarray) -> Finder | None:
    a_ring, a_core = cv2.contourArea(ring), cv2.contourArea(core)
    if a_core < 2 or a_ring < (5 * MIN_SIDE / 7) ** 2 or not 1.6 < a_ring / a_core < 6:
        return None  # an alignment pattern's ring is 9 times its core
    hull = cv2.convexHull(ring)
    if cv2.contourArea(hull) > 1.3 * a_ring:
        return None
    m_core = cv2.moments(core)
    cx, cy = m_core["m10"] / max(m_core["m00"], 1e-6), m_core["m01"] / max(m_core["m00"], 1e-6)
    quad = _quad(hull)
    centre = quad.mean(axis=0)
    if math.dist(tuple(centre), (cx, cy)) > 0.2 * math.sqrt(a_ring):
        return None
    return Finder((cx, cy), (quad - centre) * 1.4 + centre, math.sqrt(a_ring) / 5.0)


def _quad(hull: np.ndarray) -> np.ndarray:
    """Four corners of a convex outline: the hull points farthest along the four diagonals."""
    pts = hull.reshape(-1, 2).astype(np.float32)
    c = pts.mean(axis=0)
    d = pts - c
    picks = [pts[np.argmax(d @ np.array(v, np.float32))] for v in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    quad = np.array(picks, np.float32)
    # diagonals are wrong for a square rolled ~45°: then the extremes along the axes are its corners
    if min(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)) < 0.4 * np.linalg.norm(quad[0] - quad[2]):
        picks = [pts[np.argmax(d @ np.array(v, np.float32))] for v in ((0, -1), (1, 0), (0, 1), (-1, 0))]
        quad = np.array(picks, np.float32)
    return quad


def _distinct(finders: list[Finder]) -> list[Finder]:
    out: list[Finder] = []
    for f in finders:
        if all(math.dist(f.center, g.center) > 2 * g.module for g in out):
            out.append(f)
    return out


def triples(finders: list[Finder], limit: int = 4, skew: float = 0.0) -> list[tuple[Finder, Finder, Finder]]:
    """(top-left, top-right, bottom-left) triples that could be one code's finders, best first:
    similar module sizes, a right-ish angle at the top-left, two similar legs; with skew > 0
    also legs that run along the finders' sides (off_side), which tells the top-left finder
    of a flat code under a strong tilt (a bent sheet's finders are too distorted for it)."""
    scored: list[tuple[float, tuple[Finder, Finder, Finder]]] = []
    cands = finders[:8]
    for tl, tr, bl in permutations(cands, 3):
        if _cross(tl, tr, bl) <= 0:
            continue  # clockwise order in image coordinates: TL -> TR -> BL turns right
        score = _score(tl, tr, bl)
        if score is not None and skew:
            score += skew * (off_side(tl, tr) + off_side(tl, bl))
        if score is not None:
            scored.append((score, (tl, tr, bl)))
    scored.sort(key=lambda s: s[0])
    return [t for _, t in scored[:limit]]


def _cross(tl: Finder, tr: Finder, bl: Finder) -> float:
    ux, uy = tr.center[0] - tl.center[0], tr.center[1] - tl.center[1]
    vx, vy = bl.center[0] - tl.center[0], bl.center[1] - tl.center[1]
    return ux * vy - uy * vx


def _score(tl: Finder, tr: Finder, bl: Finder) -> float | None:
    sizes = [tl.module, tr.module, bl.module]
    if max(sizes) > 2.2 * min(sizes):
        return None
    u = np.subtract(tr.center, tl.center)
    v = np.subtract(bl.center, tl.center)
    lu, lv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    mod = float(np.mean(sizes))
    if min(lu, lv) < 8 * mod or max(lu, lv) > 3.0 * min(lu, lv) or max(lu, lv) > 200 * mod:
        return None
    cos = float(u @ v) / (lu * lv)
    if abs(cos) > 0.75:  # far from a right angle even under strong perspective
        return None
    return abs(cos) + abs(math.log(lu / lv)) + 0.5 * abs(math.log(max(sizes) / min(sizes)))


def side_coefficients(f: Finder, leg: np.ndarray) -> np.ndarray | None:
    """The leg as a combination of the finder's two sides (each 7 modules long): a leg from
    one finder to another runs along one side, whatever the perspective shears."""
    sides = np.array([f.corners[1] - f.corners[0], f.corners[3] - f.corners[0]], np.float64).T
    if abs(np.linalg.det(sides)) < 1e-6:
        return None
    coef: np.ndarray = np.abs(np.linalg.solve(sides, leg.astype(np.float64)))
    return coef


def off_side(a: Finder, b: Finder) -> float:
    """How far the leg a -> b is from running along one side of each of its finders (0 when
    it does; near 1 along a diagonal): under a strong tilt the angle at the top-left finder
    says little, but a diagonal posing as a leg still shows here."""
    leg = np.subtract(b.center, a.center)
    ratios = [float(c.min() / max(c.max(), 1e-6)) for f in (a, b) if (c := side_coefficients(f, leg)) is not None]
    return sum(ratios) / len(ratios) if ratios else 0.0
