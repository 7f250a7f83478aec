"""The upscaling the ladder leans on, and what its attempts are expected to cost.

upscale3 must be the Lanczos-4 image cv2.resize makes (only faster: docs/benchmarks.md), and
upsharp3 must still read the 1.4 px/module code it is there for; the cost model must not
let one tiny region price an attempt out of every later budget."""

from __future__ import annotations

import cv2
import numpy as np

from bench.scan.generate import render
from checkpoint_app.core.scanning import preprocess as pp
from checkpoint_app.core.scanning.attempts import MIN_PIXELS, catalogue
from checkpoint_app.core.scanning.decoders import zxing
from checkpoint_app.core.scanning.lanczos import upscale3
from checkpoint_app.core.scanning.locate import texture_regions


def test_upscale3_is_cv2s_lanczos4() -> None:
    gray = pp.to_gray(render("small", 3, "640x480", 17).image)
    ours = upscale3(gray).astype(int)
    theirs = cv2.resize(gray, None, fx=3, fy=3, interpolation=cv2.INTER_LANCZOS4).astype(int)
    assert ours.shape == theirs.shape == (3 * gray.shape[0], 3 * gray.shape[1])
    assert np.abs(ours - theirs).max() <= 2  # float kernels rounded once against cv2's fixed point
    assert np.abs(ours - theirs).mean() < 0.2


def test_upscale3_keeps_the_borders_and_odd_sizes() -> None:
    # a smooth random image (no row overshoot to clip): only the borders and sizes are tested
    noise = np.random.default_rng(3).uniform(40, 215, (17, 23)).astype(np.float32)
    gray = cv2.GaussianBlur(noise, (0, 0), 1.5).astype(np.uint8)
    ours = upscale3(gray).astype(int)
    theirs = cv2.resize(gray, None, fx=3, fy=3, interpolation=cv2.INTER_LANCZOS4).astype(int)
    assert ours.shape == (51, 69)
    assert np.abs(ours - theirs).max() <= 1


def test_a_code_at_1_4_px_per_module_still_reads_after_upsharp3() -> None:
    s = render("small", 3, "640x480", 17)
    gray = pp.to_gray(s.image)
    assert not {h.text for h in zxing(gray)} & set(s.truth)
    assert set(s.truth) <= {h.text for h in zxing(pp.upsharp3(gray))}


def test_upsharp_is_the_unsharp_mask_of_the_upscaled_image() -> None:
    gray = pp.to_gray(render("nominal", 1, "640x480", 0).image)
    exact = pp.sharpen(pp.upscale(gray), 2.0).astype(int)
    assert np.abs(pp.upsharp(gray).astype(int) - exact).mean() < 2.0


def test_a_tiny_region_does_not_price_an_attempt_out_of_the_budget() -> None:
    gray = pp.to_gray(render("perspective", 2, "1280x720", 21).image)
    for name in ("roi-clahe-up", "roi-deblur", "roi-stretch", "roi-zbar"):
        attempt = catalogue()[name]
        for _ in range(10):  # a degenerate located quad crops to a few pixels
            attempt.run(gray[100:105, 100:105])
        region = gray[:340, :332]
        # per pixel, 5x5 taught the old model thousands of ms per megapixel: 100+ ms here
        assert attempt.estimate(region.size) < 30.0, name
        assert attempt.estimate(25) == attempt.estimate(MIN_PIXELS)


def test_a_large_region_gets_the_contrast_step_without_the_upscale() -> None:
    """roi-clahe-up upscaled every region twofold: 5-25 ms on the large regions of printed
    codes, whose modules are already several pixels wide, and the bent-paper reader after it
    then found the budget spent. A region over UPSCALE_UP_TO / 2 gets the same contrast step
    at its own size (roi-clahe), which still reads what the first pass could not."""
    attempts = catalogue()
    up = attempts["roi-clahe-up"]
    assert up.for_image((300, 420)) is up  # a small region: upscaled as before
    assert attempts["roi-up3"].for_image((800, 800)) is attempts["roi-up3"]  # plain upscalers keep small codes
    sample = render("print", 3, "1280x720", 1)
    gray = pp.to_gray(sample.image)
    region = next(r for r in (pp.crop(gray, c)[0] for c in texture_regions(gray)) if min(r.shape) > 450)
    full = up.for_image(region.shape)
    assert full is not up and full.scale == 1.0
    assert not set(sample.truth) & {h.text for h in zxing(region)}
    assert set(sample.truth) <= {h.text for h in full.run(region)}
