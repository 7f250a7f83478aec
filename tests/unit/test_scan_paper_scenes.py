"""The printed-code scenes of the scanner benchmark: deterministic, and what they claim to be."""

from __future__ import annotations

import numpy as np
import pytest

from bench.scan import surface as sf
from bench.scan.generate import CATEGORIES, SCREEN_CATEGORIES, categories_arg, render
from bench.scan.printed import PAPER
from checkpoint_app.core.scanning.decoders import zxing
from checkpoint_app.core.scanning.preprocess import to_gray


def test_paper_categories_have_three_severities_and_are_apart_from_the_screen_ones() -> None:
    assert set(PAPER) == {"print", "fold", "fold2", "crumple", "cylinder", "sleeve", "photo_of_print", "toner"}
    assert all(len(CATEGORIES[c]) == 3 for c in PAPER)
    assert not set(PAPER) & set(SCREEN_CATEGORIES)
    assert categories_arg("paper") == tuple(PAPER)
    assert categories_arg("screen,fold") == (*SCREEN_CATEGORIES, "fold")
    with pytest.raises(Exception, match="unknown categories: nope"):
        categories_arg("nope")


@pytest.mark.parametrize("category", ["fold2", "crumple", "sleeve", "photo_of_print"])
def test_a_paper_sample_is_a_function_of_its_name(category: str) -> None:
    a, b = render(category, 2, "640x480", 3), render(category, 2, "640x480", 3)
    assert a.truth == b.truth and len(a.truth) == 1
    assert np.array_equal(a.image, b.image)
    assert a.image.shape == (480, 640, 3)
    assert not np.array_equal(a.image, render(category, 2, "640x480", 4).image)


def test_a_mild_printout_is_a_readable_code() -> None:
    # severity 1 of plain print damage: a library reads it, so the scene draws a real code
    sample = render("print", 1, "1280x720", 0)
    assert {h.text for h in zxing(to_gray(sample.image))} == set(sample.truth)


def test_a_surface_projects_where_the_inverse_map_says() -> None:
    # the renderer's inverse (frame pixel -> sheet point) agrees with the forward projection
    cam = sf.Camera((320.0, 240.0), 4.0, 10.0, 25.0, 30.0)
    surface = sf.cylinder((-40, -40, 40, 40), 30.0, 80.0, True)
    a, b, ok = sf.inverse_map(surface, cam, (640, 480))
    ys, xs = np.nonzero(ok)
    pick = slice(None, None, max(1, len(xs) // 50))
    back = cam.project(surface.sample(a[ys[pick], xs[pick]], b[ys[pick], xs[pick]]))
    assert ok.mean() > 0.2
    assert np.abs(back - np.stack((xs[pick], ys[pick]), axis=1)).max() < 1.0
