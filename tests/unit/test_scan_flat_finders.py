"""Flat codes read from the finders found by shape: under a strong tilt (the version and the
top-left finder from the finders' own sides) and with one finder washed out or covered (a
third finder guessed from the other two, third.py).

Every image is one that neither zxing-cpp nor zbar reads (checked in each test), made by the
benchmark's generator; each read here failed before these stages."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from bench.scan.generate import Sample, render
from checkpoint_app.core.scanning import bent, resample, third
from checkpoint_app.core.scanning.decoders import zbar, zxing
from checkpoint_app.core.scanning.finders import find_finders, off_side, triples
from checkpoint_app.core.scanning.locate import texture_regions
from checkpoint_app.core.scanning.preprocess import crop, to_gray

TILTED = [("perspective", 3, "640x480", 2), ("perspective", 3, "640x480", 3), ("perspective", 3, "640x480", 10)]
ONE_FINDER_LOST = [("glare", 2, "640x480", 8), ("thumb", 3, "640x480", 8), ("sleeve", 1, "640x480", 4),
                   ("glare", 2, "1280x720", 17)]


@cache
def sample(category: str, severity: int, size: str, index: int) -> Sample:
    return render(category, severity, size, index)


def no_library_reads(s: Sample) -> bool:
    gray = to_gray(s.image)
    return not (set(s.truth) & ({h.text for h in zxing(gray)} | {h.text for h in zbar(gray)}))


def truth_size(s: Sample) -> int:
    from bench.scan.scene import qr_modules

    return int(qr_modules(s.truth[0]).shape[0])


@pytest.mark.parametrize("name", TILTED, ids=lambda n: "-".join(map(str, n)))
def test_a_code_tilted_62_degrees_reads_through_its_finders(name: tuple[str, int, str, int]) -> None:
    s = sample(*name)
    assert no_library_reads(s)
    assert [h.text for h in bent.read_flat_finders(to_gray(s.image))] == list(s.truth)


@pytest.mark.parametrize("name", TILTED, ids=lambda n: "-".join(map(str, n)))
def test_the_top_left_finder_and_the_version_come_from_the_finders_sides(name: tuple[str, int, str, int]) -> None:
    s = sample(*name)
    tl, tr, bl = triples(find_finders(to_gray(s.image)), skew=bent.SKEW_WEIGHT)[0]
    # the legs run along the finders' sides; a diagonal posing as a leg does not
    assert off_side(tl, tr) < 0.2 and off_side(tl, bl) < 0.2
    assert off_side(tr, bl) > 0.6
    # the finders' corners projected onto a sheared leg counted ~29 modules where there are 46
    n = truth_size(s)
    assert 17 + 4 * resample.guess_versions(tl, tr, bl)[0] == n


def test_a_wrong_version_does_not_alternate_on_the_timing_pattern() -> None:
    s = sample(*TILTED[0])
    gray = to_gray(s.image)
    tl, tr, bl = triples(find_finders(gray), skew=bent.SKEW_WEIGHT)[0]
    n = truth_size(s)
    scores = {}
    for size in (n - 4, n, n + 4):
        hom = resample._finder_homography(tl, tr, bl, size)
        assert hom is not None
        scores[size] = resample.timing_alternation(gray, hom, size)
    assert scores[n] >= 0.9
    assert scores[n - 4] < resample.TIMING_FIRST and scores[n + 4] < resample.TIMING_FIRST


@pytest.mark.parametrize("name", ONE_FINDER_LOST, ids=lambda n: "-".join(map(str, n)))
def test_a_code_with_one_finder_washed_out_reads_through_a_guessed_third(name: tuple[str, int, str, int]) -> None:
    s = sample(*name)
    gray = to_gray(s.image)
    assert no_library_reads(s)
    found = find_finders(gray)
    assert not triples(found)  # only two of its finders are there to be found
    assert [h.text for h in bent.read_flat_finders(gray)] == list(s.truth)


def test_the_guesses_cover_every_reading_of_a_pair() -> None:
    s = sample(*ONE_FINDER_LOST[0])
    a, b = find_finders(to_gray(s.image))[:2]
    sets = third.completions([a, b])
    assert len(sets) == 6  # two legs at either end on either side, and the diagonal's two corners
    centres = {(round(t[2].center[0]), round(t[2].center[1])) for t in sets}
    assert len(centres) == 6
    for three in sets:
        # a guess has the outline of a found finder, moved: a flat code's finders look alike
        assert three[2].module in (a.module, b.module)
        assert np.ptp(three[2].corners, axis=0) == pytest.approx(np.ptp(a.corners if three[2].module == a.module
                                                                         else b.corners, axis=0))


def test_a_guess_outside_the_image_is_not_tried() -> None:
    # a finder washed out by glare is still in the picture; guesses beyond the image's edge
    # (most of them, in a region cropped around a code) cost a timing check per version each
    s = sample("sleeve", 1, "640x480", 4)
    region, _ = crop(to_gray(s.image), texture_regions(to_gray(s.image))[0])
    a, b = find_finders(region)[:2]
    everywhere = third.completions([a, b])
    h, w = region.shape
    inside = [t for t in everywhere if 0 <= t[2].center[0] < w and 0 <= t[2].center[1] < h]
    assert 0 < len(inside) < len(everywhere)
    assert [t[2].center for t in third.completions([a, b], region.shape)] == [t[2].center for t in inside]
    assert [h.text for h in bent.read_flat_finders(region)] == list(s.truth)


@pytest.mark.parametrize("index", range(6))
def test_guessed_finders_read_nothing_where_there_is_no_code(index: int) -> None:
    # phones showing squares, a checkerboard or text, some in dark mode: finder-like shapes
    s = sample("negative", 2 + index % 2, "640x480" if index < 3 else "1280x720", index)
    assert bent.read_flat_finders(to_gray(s.image)) == []
