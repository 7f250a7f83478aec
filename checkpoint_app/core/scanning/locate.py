"""Find where a code probably is when no library could even locate it.

A QR code is a square of dense, high-contrast edges in both directions. The local density
of gradient energy (on a quarter-size map) is thresholded and the square-ish blobs of
plausible size become regions of interest. It costs about 2-3 ms at 720p and finds codes
too small (under ~1.5 px per module) or too blurred for the finder-pattern search of the
libraries; the ROI ladder then upscales just that region, which the whole frame could
not afford."""

from __future__ import annotations

import cv2
import numpy as np

from checkpoint_app.core.scanning.preprocess import Gray
from checkpoint_app.core.scanning.result import Corners

MAX_CANDIDATES = 2  # more are rarely codes, and each costs the whole ROI ladder


def texture_regions(gray: Gray, min_side: int = 40, max_frac: float = 0.6) -> list[Corners]:
    """Candidate code regions in frame pixels, densest first."""
    h, w = gray.shape[:2]
    # Gradients at full resolution: at half size a 1.4 px module averages away.
    gx = cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, 1, 0, ksize=3))
    gy = cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, 0, 1, ksize=3))
    # Both directions must be busy: text lines and stripes are busy in one direction only.
    both = cv2.min(cv2.resize(gx, (w // 4, h // 4), interpolation=cv2.INTER_AREA),
                   cv2.resize(gy, (w // 4, h // 4), interpolation=cv2.INTER_AREA))
    both = cv2.blur(both, (3, 3))
    level = max(10.0, float(np.percentile(both, 92)))
    mask = cv2.morphologyEx((both > level).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found: list[tuple[float, Corners]] = []
    for x, y, bw, bh, area in stats[1:n]:
        side = max(bw, bh) * 4
        if side < min_side or bw > max_frac * w / 4 or bh > max_frac * h / 4:
            continue
        if not 0.4 < bw / bh < 2.5 or area < 0.4 * bw * bh:
            continue
        corners = ((4.0 * x, 4.0 * y), (4.0 * (x + bw), 4.0 * y), (4.0 * (x + bw), 4.0 * (y + bh)),
                   (4.0 * x, 4.0 * (y + bh)))
        found.append((float(area), corners))
    found.sort(key=lambda item: -item[0])
    return [c for _, c in found[:MAX_CANDIDATES]]
