"""Codes drowned in sensor noise (noisy.py): a dimmed screen in a dark room, where the
webcam's gain makes the noise as large as the code's contrast.

The images are real QR codes (the qrcode library), degraded the way a webcam does it: the
benchmark's low-light scenes (gain 0.05, noise sigma 10, MJPG) and, made here, a code
tilted on a pinhole camera; each one no library reads. The reader must also never read
anything from noise, from a scene without a code, or from bits that are mostly wrong."""

from __future__ import annotations

import time
from functools import cache

import cv2
import numpy as np
import pytest

from bench.scan.generate import Sample, render
from bench.scan.scene import qr_modules
from checkpoint_app.core.scanning import noisy, patterns, qrdecode
from checkpoint_app.core.scanning.attempts import DARK_FIRST, catalogue
from checkpoint_app.core.scanning.decoders import zbar, zxing
from checkpoint_app.core.scanning.images import decode_image
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.preprocess import to_gray

# each missed by the pipeline before this reader (bench/scan, docs/benchmarks.md)
DARK = [("low_light", 3, "640x480", 7), ("low_light", 3, "640x480", 17), ("low_light", 3, "1280x720", 3),
        ("low_light", 3, "1280x720", 16)]
TEXT = "JKM1:NOISY-TEST-" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 5


@cache
def sample(category: str, severity: int, size: str, index: int) -> Sample:
    return render(category, severity, size, index)


def no_library_reads(image: np.ndarray, text: str) -> bool:
    gray = to_gray(image)
    return text not in {h.text for h in zxing(gray)} | {h.text for h in zbar(gray)}


def code_to_image(n: int, module: float, tilt_deg: float) -> np.ndarray:
    """Module coordinates (0..n) of an n-module code to frame pixels of a 640x480 camera that
    sees it `module` px per module at its centre, turned `tilt_deg` about its vertical axis."""
    t = np.radians(tilt_deg)
    rot = np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])
    focal, dist = 800.0, 800.0 / module  # one module at the centre is `module` px
    corners = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    img = []
    for u, v in corners:
        x, y, z = rot @ np.array([u - n / 2, v - n / 2, 0.0]) + np.array([0, 0, dist])
        img.append((320 + focal * x / z, 240 + focal * y / z))
    return cv2.getPerspectiveTransform(corners, np.array(img, np.float32))


def dark_tilted_code(text: str, module: float, tilt_deg: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A dimmed screen showing `text`'s code, tilted, through a webcam at gain 0.05 (noise
    sigma 10 per channel, MJPG quality 80): the frame (BGR) and the code's homography."""
    bits = qr_modules(text)
    n = bits.shape[0]
    hom = code_to_image(n, module, tilt_deg)
    scale = 8  # px per module of the screen drawing, then projected
    screen = np.where(np.kron(np.pad(bits, 4), np.ones((scale, scale), bool)), 20, 255).astype(np.float32)
    shift = np.array([[1 / scale, 0, -4], [0, 1 / scale, -4], [0, 0, 1]])
    frame = cv2.warpPerspective(screen, hom @ shift, (640, 480), flags=cv2.INTER_LINEAR, borderValue=60)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.6)
    rng = np.random.default_rng(seed)
    bgr = np.repeat(frame[..., None], 3, axis=2) * 0.05 + rng.normal(0, 10, (480, 640, 3))
    ok, jpg = cv2.imencode(".jpg", np.clip(bgr, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR), hom


@pytest.mark.parametrize("name", DARK, ids=lambda n: "-".join(map(str, n)))
def test_a_code_under_noise_as_large_as_its_contrast_reads(name: tuple[str, int, str, int]) -> None:
    s = sample(*name)
    assert no_library_reads(s.image, s.truth[0])
    hits = noisy.read_noisy(to_gray(s.image))
    assert [h.text for h in hits] == list(s.truth)
    # the corners are the code's, in frame pixels
    xs = [x for x, _ in hits[0].corners]
    assert 0 <= min(xs) < max(xs) <= s.image.shape[1] and max(xs) - min(xs) > 100


def test_a_tilted_dark_code_made_here_reads() -> None:
    frame, _ = dark_tilted_code(TEXT, 4.0, 20.0, seed=3)
    assert no_library_reads(frame, TEXT)
    assert [h.text for h in noisy.read_noisy(to_gray(frame))] == [TEXT]


def test_the_alignment_patterns_put_the_far_corner_of_a_tilted_code_right() -> None:
    # three finders fix only an affine map; under a 25° tilt its far corner is more than a module
    # off, and the alignment patterns bring it back to a fraction of one
    frame, hom = dark_tilted_code(TEXT, 4.0, 25.0, seed=5)
    gray = to_gray(frame)
    n = qr_modules(TEXT).shape[0]
    centres = cv2.perspectiveTransform(np.array([patterns.finder_centres(n)], np.float32), hom)[0]
    affine = np.vstack([cv2.getAffineTransform(np.array(patterns.finder_centres(n), np.float32), centres),
                        [0.0, 0.0, 1.0]])
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0)
    refined = patterns.refine(smooth, affine, n)

    def far_corner_error(h: np.ndarray) -> float:
        far = np.array([[[n - 6.5, n - 6.5]]], np.float32)  # the last alignment pattern's centre
        got, want = cv2.perspectiveTransform(far, h)[0, 0], cv2.perspectiveTransform(far, hom)[0, 0]
        return float(np.linalg.norm(got - want)) / 4.0  # in modules

    assert far_corner_error(affine) > 0.7
    assert far_corner_error(refined) < 0.25


def test_the_pipeline_and_the_decode_command_read_a_dark_code() -> None:
    for name in DARK[:2]:
        s = sample(*name)
        assert decode_image(s.image).texts == list(s.truth)
    # in a live frame the reader comes right after the cheap denoising
    assert DARK_FIRST[:2] == ("denoise", "noisy")
    s = sample(*DARK[0])
    assert ScanPipeline(budget_ms=200.0).decode(s.image, 0.0).texts == list(s.truth)


@pytest.mark.parametrize("seed", range(6))
def test_noise_alone_reads_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dark = np.clip(rng.normal(8, 10, (480, 640)), 0, 255).astype(np.uint8)
    assert noisy.read_noisy(dark) == []
    # blobs of every size in noise: things that look a little like finders
    blobs = cv2.GaussianBlur(rng.normal(128, 60, (480, 640)).astype(np.float32), (0, 0), 3.0)
    assert noisy.read_noisy(np.clip(blobs, 0, 255).astype(np.uint8)) == []


@pytest.mark.parametrize("name", [("negative", s, size, i) for s in (1, 2, 3) for size in ("640x480", "1280x720")
                                  for i in (0, 5)], ids=lambda n: "-".join(map(str, n)))
def test_a_scene_without_a_code_reads_nothing(name: tuple[str, int, str, int]) -> None:
    s = sample(*name)
    gray = to_gray(s.image)
    assert noisy.read_noisy(gray) == []
    dark = np.clip(gray.astype(np.float32) * 0.05 + np.random.default_rng(1).normal(0, 7, gray.shape), 0, 255)
    assert noisy.read_noisy(dark.astype(np.uint8)) == []


def test_erasing_each_blocks_least_certain_codewords_reads_what_one_share_cannot() -> None:
    bits = qr_modules(TEXT)
    rng = np.random.default_rng(7)
    data = ~patterns_fixed(bits.shape[0])
    # 2.5 % of the data modules flipped all over the code, each flip among the least certain
    flips = data & (rng.random(bits.shape) < 0.025)
    certainty = rng.uniform(0.5, 3.0, bits.shape)
    certainty[flips] = rng.uniform(0.0, 0.7, int(flips.sum()))
    noisy_bits = bits ^ flips
    with pytest.raises(qrdecode.QRError):
        qrdecode.decode(noisy_bits)
    share = certainty <= np.quantile(certainty[data], 0.08)
    with pytest.raises(qrdecode.QRError):
        qrdecode.decode(noisy_bits, share & data)
    assert qrdecode.decode(noisy_bits, certainty=certainty) == TEXT


def test_erasure_decoding_never_reads_random_bits() -> None:
    bits = qr_modules(TEXT)
    where, fixed = patterns_fixed(bits.shape[0]), qr_modules(TEXT)
    rng = np.random.default_rng(11)
    for _ in range(200):
        # the real fixed patterns and format information: every try gets to the Reed-Solomon blocks
        random = np.where(where, fixed, rng.random(bits.shape) < 0.5)
        with pytest.raises(qrdecode.QRError):
            qrdecode.decode(random, certainty=rng.uniform(0, 3, bits.shape))


def patterns_fixed(n: int) -> np.ndarray:
    """Modules no data goes into (finders, timing, alignment, format, version)."""
    from checkpoint_app.core.scanning.qrspec import reserved

    out: np.ndarray = reserved(n)
    return out


def test_the_noise_readers_cost_grows_with_the_frame_so_a_4k_frame_does_not_start_it() -> None:
    """Its finder search scans every pixel and cannot stop half way (over 100 ms at 4K): a
    fixed cost learned on 720p frames let it start on a 4K frame and overrun the budget."""
    reader = catalogue()["noisy"]
    rng = np.random.default_rng(3)
    for _ in range(3):  # learned from its own runs on dark 720p frames, as in the pipeline
        reader.run(rng.normal(30, 12, (720, 1280)).clip(0, 255).astype(np.uint8), time.perf_counter() + 0.03)
    assert reader.estimate(1280 * 720) < 30 < reader.estimate(3840 * 2160)  # 30 ms: the live frame budget
