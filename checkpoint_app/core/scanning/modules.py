"""From a flat picture of a code (lattice.py) to its text: sample, threshold, decode.

Each module's value is the mean of the middle of its cell in the flat picture (a matched
filter: it averages sensor noise over the module instead of trusting one pixel), and
its threshold is the local mean of module values over a few modules (a fold's shaded
side, a glare gradient and a faded toner band each get their own). The bits are drawn as
a clean synthetic code and read by zxing-cpp in its pure-image mode, which does the
format, the unmasking and the Reed-Solomon correction."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from checkpoint_app.core.scanning import qrdecode
from checkpoint_app.core.scanning.decoders import QR_ONLY, full_qr
from checkpoint_app.core.scanning.lattice import OutOfTime, Q, never
from checkpoint_app.core.scanning.phase import K, dense
from checkpoint_app.core.scanning.preprocess import Gray
from checkpoint_app.core.scanning.qrspec import function_patterns

DRAW = 3  # px per module of the synthetic code handed to zxing
THRESHOLD_WINDOW = 4.0  # modules
UNSURE_SHARES = (0.0, 0.08)  # the least certain modules treated as erasures, in turn

def module_values(flat: Gray, n: int, whole: bool = False) -> np.ndarray:
    """n x n float32 mean brightness of each module's central quarter (or `whole` module:
    under heavy noise the larger average is worth more than a sharp edge)."""
    core = flat[Q * K:(Q + n) * K, Q * K:(Q + n) * K].astype(np.float32)
    lo, hi = (0, K) if whole else (K // 4, K - K // 4)
    values: np.ndarray = core.reshape(n, K, n, K)[:, lo:hi, :, lo:hi].mean(axis=(1, 3))
    return values


def timing_score(dark: np.ndarray) -> float:
    """How well row 6 and column 6 alternate between the finders (1.0: perfectly)."""
    n = dark.shape[0]
    if n < 21:
        return 0.0
    idx = np.arange(8, n - 8)
    want = idx % 2 == 0
    return float((np.mean(dark[6, idx] == want) + np.mean(dark[idx, 6] == want)) / 2)


def restore(dark: np.ndarray) -> np.ndarray:
    """The sampled bits with the fixed patterns put back: a finder or timing module the
    sampling got wrong costs the decoder nothing that way."""
    where, fixed = function_patterns(dark.shape[0])
    out: np.ndarray = np.where(where, fixed, dark)
    return out


def draw(dark: np.ndarray) -> Gray:
    """The bits as a clean code image with a four-module quiet zone."""
    padded = np.pad(restore(dark), 4, constant_values=False)
    img: Gray = np.where(np.kron(padded, np.ones((DRAW, DRAW), bool)), 0, 255).astype(np.uint8)
    return img


def read_grid(gray: Gray, pts: np.ndarray, n: int, min_timing: float = 0.75,
              out_of_time: OutOfTime = never) -> str | None:
    """The text of the n-module code whose module centres (with a Q-module margin) are `pts`
    (lattice.py), or None. zxing-cpp reads the sampled bits first; when it cannot, our own
    decoder tries again with the modules it should not trust as erasures: those under a
    clipped highlight, then also the ones nearest their threshold."""
    mx, my = dense(pts)
    flat = cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    values = module_values(flat, n)
    washed = washed_out(values)
    for window in (THRESHOLD_WINDOW, 2.0):
        local = cv2.GaussianBlur(values, (0, 0), window, borderType=cv2.BORDER_REFLECT)
        dark = values < local
        if timing_score(dark) < min_timing:
            continue
        text = read_bits(dark)
        if text is None and window == THRESHOLD_WINDOW and not out_of_time():
            text = read_unsure(dark, values, local, washed, window, out_of_time)
        if text is not None:
            return text
    return None


def washed_out(values: np.ndarray) -> np.ndarray:
    """Modules whose whole 3x3 neighbourhood is bright: under a highlight even the dark ones
    are (no code has nine light modules in a square often, and then they cost nothing)."""
    lo, hi = np.percentile(values, (5, 95))
    out: np.ndarray = cv2.erode(values, np.ones((3, 3), np.uint8)) > lo + 0.7 * (hi - lo)
    return out


def read_unsure(dark: np.ndarray, values: np.ndarray, local: np.ndarray, washed: np.ndarray,
                window: float, out_of_time: OutOfTime = never) -> str | None:
    """Our decoder with erasures: the washed-out modules, then also the least certain ones."""
    fixed, _ = function_patterns(dark.shape[0])
    spread = cv2.GaussianBlur(np.abs(values - local), (0, 0), window, borderType=cv2.BORDER_REFLECT) + 1e-3
    margin = np.abs(values - local) / spread
    bits = restore(dark)
    for share in UNSURE_SHARES:
        if out_of_time():
            return None
        unsure = washed | (margin <= np.quantile(margin, share)) if share else washed
        unsure = unsure & ~fixed
        if share == 0 and not unsure.any():
            continue
        try:
            return qrdecode.decode(bits, unsure)
        except qrdecode.QRError:
            continue
    return None


def read_bits(dark: np.ndarray) -> str | None:
    found = zxingcpp.read_barcodes(draw(dark), formats=QR_ONLY, try_rotate=False, try_downscale=False,
                                   try_invert=False, is_pure=True)
    for r in found:
        if r.valid and full_qr(r):
            return str(r.text)
    return None
