"""How far a lattice of module centres is off the code it should sit on, measured from the
module edges themselves, and the correction that follows (lattice.py grows the lattice).

The lattice block is resampled onto a flat picture of K pixels per module, where module
edges must fall on multiples of K. The edge energy of the log image (ink against paper is a
large ratio, a fold's shading a small one), weighted by a Gaussian around each lattice
point and multiplied by the module-frequency carrier, has a phase that says how far the
edges are off, modulo one module; its strength says how much to trust that. Weighted sums
at the lattice points only, in compiled loops (phase_kernels.py): no full-image filtering."""

from __future__ import annotations

import cv2
import numpy as np

from checkpoint_app.core.scanning import phase_kernels as kn
from checkpoint_app.core.scanning.preprocess import Gray

K = kn.K  # flat pixels per module


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
    h, w = flat.shape
    r0, r1, c1 = rows.start, rows.stop, block.shape[1]
    # Gaussian-weighted sums around each lattice point of the edge strengths, the
    # module-frequency carrier folded into the weights: (re, im, energy) for x edges and for
    # y edges (phase_kernels.measure); the weights are made here once per shape and kept
    rows_x = _stacked(h, r0, r1, across, False)[2 * (r1 - r0):]  # plain weights: (rows, h)
    cols_x = _stacked(w, 0, c1, along, True)  # (3 cols, w - 1): cos | sin | plain
    rows_y = _stacked(h, r0, r1, across, True)  # (3 rows, h - 1)
    cols_y = _stacked(w, 0, c1, along, False)[2 * c1:]  # (cols, w): plain
    offset, trust = kn.measure(flat, _LOG, r0, r1, c1, rows_x, cols_x, rows_y, cols_y, across, along)
    return offset, trust


# log: ink against paper is a large ratio, shading (a fold's dark side) a small one
_LOG = np.log(np.arange(256, dtype=np.float32) + 8.0).astype(np.float32)


def _stacked(size: int, first: int, stop: int, sigma_modules: float, edges: bool) -> np.ndarray:
    """_weights as one 2D array: the cos, sin and plain rows one after the other."""
    wgt = _weights(size, first, stop, sigma_modules, edges)
    return wgt.reshape(-1, wgt.shape[2])


_WEIGHTS: dict[tuple[int, int, int, float, bool], np.ndarray] = {}
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


def correct(block: np.ndarray, measured: tuple[np.ndarray, np.ndarray], rows: slice, cols: slice) -> None:
    """Move the lattice points of `rows` x `cols` by the measured offsets (taken for `rows`),
    in place (phase_kernels.correct). `block` must have a row before and after `rows` and a
    column before and after `cols`."""
    offset, trust = measured
    kn.correct(block, offset, trust, rows.start, rows.stop, cols.start, cols.stop, smoother(cols.stop - cols.start),
               SMOOTH_SIGMA)


SMOOTH_SIGMA = 1.5  # columns
_SMOOTHERS: dict[int, np.ndarray] = {}


def smoother(size: int, sigma: float = SMOOTH_SIGMA) -> np.ndarray:
    """Gaussian weights between the points of a row (size x size), for sharing measurements."""
    if size not in _SMOOTHERS:
        i = np.arange(size, dtype=np.float32)
        _SMOOTHERS[size] = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2).astype(np.float32)
    return _SMOOTHERS[size]


