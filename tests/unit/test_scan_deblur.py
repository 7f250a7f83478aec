"""Motion deblurring (deblur.py) on the benchmark's own 12 px blurs: the (length, angle)
guesses and the Wiener regularisation chosen on bench/scan read codes no library reads,
and a region without motion blur costs no deconvolution at all."""

from __future__ import annotations

from functools import cache

import pytest

from bench.scan.generate import Sample, render
from checkpoint_app.core.scanning import deblur
from checkpoint_app.core.scanning.attempts import DeblurAttempt
from checkpoint_app.core.scanning.decoders import zbar, zxing
from checkpoint_app.core.scanning.locate import texture_regions
from checkpoint_app.core.scanning.preprocess import Gray, crop, to_gray

# The guesses before they were measured: mostly too short for a 12 px blur, K too large.
OLD_K = 0.01
OLD_VARIANTS = ((8, 0), (11, 0), (11, -8), (8, -8), (11, 8), (8, 8), (14, 0), (5, 0))
BLURRED = [("640x480", 2), ("640x480", 8), ("640x480", 9), ("1280x720", 6)]


@cache
def sample(size: str, index: int) -> Sample:
    return render("motion_blur", 3, size, index)


def region(s: Sample) -> Gray:
    gray = to_gray(s.image)
    regions = texture_regions(gray)
    assert regions, "the texture search finds the blurred code"
    return crop(gray, regions[0])[0]


def read(img: Gray) -> set[str]:
    return {h.text for h in DeblurAttempt().run(img) if h.text}


@pytest.mark.parametrize(("size", "index"), BLURRED)
def test_a_12px_motion_blur_no_library_reads_is_read_after_deconvolution(size: str, index: int) -> None:
    s = sample(size, index)
    gray = to_gray(s.image)
    assert not any(h.text for h in zxing(gray)) and not any(h.text for h in zbar(gray))
    assert read(region(s)) == set(s.truth)


@pytest.mark.parametrize(("size", "index"), BLURRED)
def test_the_earlier_guesses_did_not_read_these_blurs(size: str, index: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deblur, "NOISE_TO_SIGNAL", OLD_K)
    monkeypatch.setattr(deblur, "VARIANTS", OLD_VARIANTS)
    assert read(region(sample(size, index))) == set()


def test_a_sharp_code_gets_no_deconvolution() -> None:
    s = render("nominal", 1, "640x480", 3)
    assert list(deblur.candidates(region(s))) == []
