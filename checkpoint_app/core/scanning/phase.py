"""How far a lattice of module centres is off the code it should sit on, measured from the
module edges themselves, and the correction that follows (lattice.py grows the lattice).

The lattice block is resampled onto a flat picture of K pixels per module, where module
edges must fall on multiples of K. The edge energy of the log image (ink against paper is a
large ratio, a fold's shading a small one), weighted by a Gaussian around each lattice
point and multiplied by the module-frequency carrier, has a phase that says how far the
edges are off, modulo one module; its strength says how much to trust that. Weighted sums
at the lattice points only, as matrix products: no full-image filtering."""

from __future__ import annotations

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray

K = 4  # flat pixels per module
DAMPING = 0.7
LIMIT = 0.35  # modules per correction: a phase near half a module may belong to the next edge


def dense(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat-picture maps (K px per module) from a lattice block, by bilinear interpolation."""
    h, w = pts.shape[:2]
    full = cv2.resize(pts, (w * K, h * K), interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(full[..., 0]), np.ascontiguousarray(full[..., 1])


def measure(gray: Gray, block: np.ndarray, rows: slice, along: float = 2.0,
            across: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """For the lattice points of `rows` of `block`: how far (in modules) the module edges are
    from where the block puts them, along columns and along rows, (2, rows, cols), and how
    much to trust each, (2, rows, cols)."""
    mx, my = dense(block)
    flat = cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # log: ink against paper is a large ratio, shading (a fold's dark side) a small one
    f = np.log(flat.astype(np.float32) + 8.0)
    h, w = f.shape
    ex = np.ascontiguousarray(np.abs(f[:, 1:] - f[:, :-1]))  # edges across x, at flat column x + 1
    ey = np.ascontiguousarray(np.abs(f[1:, :] - f[:-1, :]))  # edges across y, at flat row y + 1
    r0, r1, c1 = rows.start, rows.stop, block.shape[1]
    # Gaussian-weighted sums around each lattice point, the module-frequency carrier folded
    # into the weights: (re, im, energy) for x edges and for y edges, four 2D matrix products.
    # cv2.gemm, not numpy's matmul: OpenBLAS spreads products this size over threads that
    # spin while they wait, up to 35x slower on a busy machine (measured; docs/benchmarks.md)
    n_r, n_c = r1 - r0, c1
    rows_x = _stacked(h, r0, r1, across, False)[2 * n_r:]  # plain weights: (rows, h)
    cols_x = _columns(w, c1, along, True, 0)  # (w - 1, 3 cols): cos | sin | plain
    sx = _gemm(_gemm(rows_x, ex), cols_x).reshape(n_r, 3, n_c).transpose(1, 0, 2)
    rows_y = _stacked(h, r0, r1, across, True)  # (3 rows, h - 1)
    cols_y = _columns(w, c1, along, False, 2 * n_c)  # (w, cols): plain
    sy = _gemm(_gemm(rows_y, ey), cols_y).reshape(3, n_r, n_c)
    both = np.concatenate((sx, sy))
    re, im, energy = both[0::3], both[1::3], both[2::3]  # (x edges, y edges) each
    offset = np.arctan2(im, re) * (-1 / (2 * np.pi))
    strength = np.hypot(re, im)
    # trust: how much edge there is at a point, and how much of it is in step with the grid;
    # a blank stretch (a finder's core, the quiet zone) has little, its phase is noise from
    # edges further away, and it then follows its neighbours and the extrapolation
    typical = strength.sum(axis=(1, 2), keepdims=True) / strength[0].size + 1e-6
    trust = np.clip(strength * strength / ((energy + 1e-3) * (strength + 0.5 * typical)), 0, 1)
    return offset, trust


_NO_C = np.empty((0, 0), np.float32)  # gemm's third operand, unused (beta 0)


def _gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out: np.ndarray = cv2.gemm(a, b, 1.0, _NO_C, 0.0)
    return out


def _stacked(size: int, first: int, stop: int, sigma_modules: float, edges: bool) -> np.ndarray:
    """_weights as one 2D array: the cos, sin and plain rows one after the other."""
    wgt = _weights(size, first, stop, sigma_modules, edges)
    return wgt.reshape(-1, wgt.shape[2])


_WEIGHTS: dict[tuple[int, int, int, float, bool], np.ndarray] = {}
_COLUMNS: dict[tuple[int, int, float, bool, int], np.ndarray] = {}


def _columns(size: int, stop: int, sigma_modules: float, edges: bool, first_row: int) -> np.ndarray:
    """_stacked(size, 0, stop, ...) from `first_row` on, transposed and contiguous (what gemm
    takes), kept: making it at every growth step cost a tenth of a step."""
    key = (size, stop, sigma_modules, edges, first_row)
    if key not in _COLUMNS:
        if len(_COLUMNS) > 1024:
            _COLUMNS.clear()
        _COLUMNS[key] = np.ascontiguousarray(_stacked(size, 0, stop, sigma_modules, edges)[first_row:].T)
    return _COLUMNS[key]


def _weights(size: int, first: int, stop: int, sigma_modules: float, edges: bool) -> np.ndarray:
    """(cos-weighted, sin-weighted, plain) Gaussian weights, lattice points first..stop-1 x
    flat positions: the `size` pixels, or with `edges` the size - 1 edges between them (the
    edge between pixels x and x+1 lies at module coordinate (x+1)/K, plus an integer)."""
    key = (size, first, stop, sigma_modules, edges)
    if key not in _WEIGHTS:
        if len(_WEIGHTS) > 1024:
            _WEIGHTS.clear()
        centres = (np.arange(first, stop, dtype=np.float32) + 0.5) * K - 0.5
        pos = np.arange(size - 1, dtype=np.float32) + 0.5 if edges else np.arange(size, dtype=np.float32)
        wgt = np.exp(-0.5 * ((pos[None, :] - centres[:, None]) / (sigma_modules * K)) ** 2)
        wgt /= wgt.sum(axis=1, keepdims=True)
        phase = -2 * np.pi * (pos + 0.5) / K
        _WEIGHTS[key] = np.stack((wgt * np.cos(phase), wgt * np.sin(phase), wgt)).astype(np.float32)
    return _WEIGHTS[key]


def correct(block: np.ndarray, measured: tuple[np.ndarray, np.ndarray], rows: slice, cols: slice,
            new_from: int = 0) -> float:
    """Move the lattice points of `rows` x `cols` by the measured offsets (taken for `rows`),
    in place; returns the largest (smoothed) offset among rows from `new_from` on. `block`
    must have a row before and after `rows` and a column before and after `cols`."""
    offset, trust = measured
    c0, c1 = cols.start, cols.stop
    r0, r1 = rows.start, rows.stop
    ju = (block[r0:r1, c0 + 1:c1 + 1] - block[r0:r1, c0 - 1:c1 - 1]) / 2
    jv = (block[r0 + 1:r1 + 1, c0:c1] - block[r0 - 1:r1 - 1, c0:c1]) / 2
    # neighbours along the row share their measurements, weighted by how sure each one is:
    # a blank or glared stretch follows its neighbours instead of drifting on noise
    w = trust[:, :, c0:c1] ** 2
    both = np.concatenate((w * offset[:, :, c0:c1], w)) @ smoother(c1 - c0)
    d = np.clip(both[:2] / (both[2:] + 1e-6), -LIMIT, LIMIT)
    # damped: a full step overshoots, because moving a row also moves the rows extrapolated from it
    block[r0:r1, c0:c1] += DAMPING * (d[0][..., None] * ju + d[1][..., None] * jv)
    k = max(0, new_from - r0)
    return float(np.abs(d[:, k:]).max(initial=0))


_SMOOTHERS: dict[int, np.ndarray] = {}


def smoother(size: int, sigma: float = 1.5) -> np.ndarray:
    """Gaussian weights between the points of a row (size x size), for sharing measurements."""
    if size not in _SMOOTHERS:
        i = np.arange(size, dtype=np.float32)
        _SMOOTHERS[size] = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2).astype(np.float32)
    return _SMOOTHERS[size]


