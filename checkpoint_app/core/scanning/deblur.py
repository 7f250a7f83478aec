"""Undo a shaking hand: Wiener deconvolution of an estimated linear motion blur.

Sharpening helps up to a blur of about one module; beyond that neighbouring modules smear
into each other and only deconvolution separates them. The blur direction is where the
power spectrum falls off fastest (a code's own spectrum is nearly isotropic, a motion
blur's is a sinc across the motion). That estimate is good to about ±10°, and the length
is not estimated at all, so the ladder tries a few (length, angle) pairs around it, most
likely first, while the budget lasts, and only where the spectrum is directional at all;
on bench/scan this recovers about half the blurs
of 8-12 px that every other attempt misses (docs/benchmarks.md)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray

NOISE_TO_SIGNAL = 0.003  # Wiener's K: lower restores more and amplifies noise more
# On bench/scan, regions with motion blur score 0.08-0.11, all other failures mostly below
# 0.06: below this there is no motion to undo, and the time goes to other attempts.
MIN_DIRECTIONAL = 0.07
MAX_SIDE = 320  # deconvolve at most this size: the FFTs dominate the cost
# (length in px at full size, angle offset in degrees), most productive first on bench/scan
VARIANTS = ((12, 0), (8, 0), (12, -5), (12, 5), (12, -10), (12, 10), (8, -10), (8, 10))


def blur_angle(gray: Gray, n: int = 256) -> tuple[float, float]:
    """Direction of motion blur in degrees (0 = along x, growing toward +y) and how
    directional the spectrum is (0 = isotropic, no motion blur to undo)."""
    f = cv2.resize(gray, (n, n), interpolation=cv2.INTER_AREA).astype(np.float32)
    f -= float(f.mean())
    spec = cv2.dft(f * cv2.createHanningWindow((n, n), cv2.CV_32F), flags=cv2.DFT_COMPLEX_OUTPUT)
    mag = np.fft.fftshift(np.log1p(cv2.magnitude(spec[..., 0], spec[..., 1])))
    polar = cv2.warpPolar(mag, (n // 2, 360), (n / 2, n / 2), n / 2, cv2.WARP_POLAR_LINEAR)
    band = polar[:, n // 16:n // 3].mean(axis=1)  # mid frequencies: past DC, before noise
    profile = band[:180] + band[180:]
    smooth = np.convolve(np.r_[profile[-3:], profile, profile[:3]], np.ones(7) / 7, "valid")
    return float(np.argmin(smooth)), float((smooth.mean() - smooth.min()) / max(float(smooth.mean()), 1e-6))


def wiener(gray: Gray, length: float, angle: float) -> Gray:
    h, w = gray.shape[:2]
    ph, pw = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    padded = cv2.copyMakeBorder(gray, 0, ph - h, 0, pw - w, cv2.BORDER_REPLICATE).astype(np.float32)
    spec = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    kernel = np.zeros((ph, pw), np.float32)
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for s in np.linspace(-length / 2, length / 2, max(3, int(length * 3))):
        kernel[round(float(s * dy)) % ph, round(float(s * dx)) % pw] += 1.0  # centred on (0, 0), wrapped
    hk = cv2.dft(kernel / kernel.sum(), flags=cv2.DFT_COMPLEX_OUTPUT)
    hr, hi, gr, gi = hk[..., 0], hk[..., 1], spec[..., 0], spec[..., 1]
    denom = hr * hr + hi * hi + NOISE_TO_SIGNAL
    # G * conj(H) / (|H|^2 + K) on the two channels of OpenCV's complex layout
    out = np.dstack(((gr * hr + gi * hi) / denom, (gi * hr - gr * hi) / denom))
    restored = cv2.idft(out, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)[:h, :w]
    return np.clip(restored, 0, 255).astype(np.uint8)


def candidates(gray: Gray) -> Iterator[tuple[Gray, float]]:
    """Deblurred versions of `gray` (at most MAX_SIDE px) and their scale, most likely first."""
    scale = min(1.0, MAX_SIDE / max(gray.shape[:2]))
    small = gray if scale >= 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    angle, directional = blur_angle(small)
    if directional < MIN_DIRECTIONAL:
        return
    for length, offset in VARIANTS:
        yield wiener(small, length * scale, angle + offset), scale
