"""Deterministic synthetic webcam images of phone screens showing QR codes.

Every sample is a pure function of (category, severity, index, frame size), so any figure in
docs/benchmarks.md can be reproduced and any single failing image regenerated.

    python -m bench.scan.generate OUT_DIR [--per-cell N] [--seed S]   # writes PNGs + truth.jsonl

--seed S (default 0, the set docs/benchmarks.md reports) draws a different but equally
deterministic set: a check that a gain measured on one set is not tuned to its images.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from bench.scan import degrade as dg
from bench.scan.printed import PAPER, render_printed
from bench.scan.scene import background, place, pose_homography, qr_modules, quad_through, render_phone
from bench.scan.surface import Camera

PAYLOADS = [line for line in (Path(__file__).parent / "payloads.txt").read_text().splitlines() if line]
OTHER_TEXTS = ["https://example.org/visit?site=42&desk=7", "WIFI:S:checkpoint;T:WPA;P:hunter2;;",
               "Hello, 世界! 這不是健康碼。"]
SIZES = {"640x480": (640, 480), "1280x720": (1280, 720)}

# category -> per-severity parameters (1 = mild .. 3 = severe); "nominal" has one severity
CATEGORIES: dict[str, tuple[float, ...]] = {
    "nominal": (0.0,),
    "small": (2.0, 1.7, 1.4),            # pixels per module
    "perspective": (40, 52, 62),         # tilt, degrees
    "rotation": (30, 60, 180),           # max roll, degrees (with some tilt at 3)
    "motion_blur": (5, 8, 12),           # blur length, pixels
    "defocus": (1.5, 2.5, 3.5),          # disk radius, pixels
    "low_light": (0.2, 0.1, 0.05),      # exposure gain (noise grows as 1/gain after auto gain)
    "glare": (260, 420, 600),            # highlight peak added to pixel values
    "moire": (0.3, 0.5, 0.7),            # screen pixel-grid darkness
    "jpeg": (20, 10, 5),                # JPEG quality
    "low_contrast": (0.15, 0.09, 0.05),   # screen contrast factor
    "inverted": (1, 2, 3),               # dark-mode code; severity adds distance and blur
    "thumb": (0.10, 0.15, 0.20),         # fraction of the code covered
    "two_codes": (3.5, 2.6, 2.0),        # pixels per module of each of two phones
    "negative": (1, 2, 3),               # no code; severity = how code-like the scene is
    **PAPER,                             # printed codes: bench/scan/printed.py
}
SCREEN_CATEGORIES = tuple(c for c in CATEGORIES if c not in PAPER)


@dataclass
class Sample:
    category: str
    severity: int
    size: str
    index: int
    truth: tuple[str, ...]
    image: np.ndarray = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.category}-s{self.severity}-{self.size}-{self.index:03d}"


SEED = 0  # set by --seed; 0 keeps the names (and so the images) of the reported set


def _rng(*parts: object) -> np.random.Generator:
    parts = parts if SEED == 0 else (f"seed{SEED}", *parts)
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def _payload(rng: np.random.Generator, index: int) -> str:
    # One sample in nine carries a non-health-code text: it must be read and reported, not dropped.
    if index % 9 == 8:
        return OTHER_TEXTS[index // 9 % len(OTHER_TEXTS)]
    return PAYLOADS[int(rng.integers(len(PAYLOADS)))]


def _put_phone(frame: np.ndarray, text: str | None, m: float, rng: np.random.Generator, *, center: tuple[float, float],
               roll: float, tilt: float, dark: bool = False, grid: float = 0.0, contrast: float = 1.0,
               thumb: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    px = max(2, round(m * (2.5 if grid else 1.6)))
    scr = render_phone(None if text is None else qr_modules(text), px, rng, dark=dark, grid=grid)
    phone = scr.image
    if contrast < 1.0:
        phone = dg.contrast(phone, contrast)
    if thumb > 0:
        phone = dg.thumb(phone, scr.qr_quad, thumb, rng)
    qc = scr.qr_quad.mean(axis=0)
    h, w = phone.shape[:2]
    shift = np.array([[1, 0, w / 2 - qc[0]], [0, 1, h / 2 - qc[1]], [0, 0, 1]], np.float64)
    hom = pose_homography(w, h, center, m / px, roll, tilt, rng.uniform(0, 180)) @ shift
    out = place(frame, phone, hom, antialias=grid == 0)
    return out, quad_through(hom, scr.qr_quad)


def render(category: str, severity: int, size: str, index: int) -> Sample:
    rng = _rng(category, severity, size, index)
    w, h = SIZES[size]
    p = CATEGORIES[category][severity - 1]
    frame = background(h, w, rng)
    m = float(rng.uniform(3.0, 5.0)) * (w / 1280 + 0.5)  # a guard's phone at arm's length, per frame size
    roll, tilt = float(rng.uniform(-12, 12)), float(rng.uniform(0, 20))
    center = (w * rng.uniform(0.4, 0.6), h * rng.uniform(0.45, 0.55))
    kw: dict[str, float | bool] = {}
    if category == "small":
        m = p
        center = (w * rng.uniform(0.25, 0.75), h * rng.uniform(0.3, 0.7))
    elif category == "perspective":
        tilt = p + float(rng.uniform(-3, 3))
    elif category == "rotation":
        roll = float(rng.uniform(-p, p)) if p < 180 else float(rng.uniform(0, 360))
        roll = roll if abs(roll) > p / 3 else p / 2
        tilt = tilt if severity < 3 else float(rng.uniform(20, 30))
    elif category == "moire":
        kw["grid"] = p
    elif category == "low_contrast":
        kw["contrast"] = p
    elif category == "inverted":
        kw["dark"] = True
        m = m if severity == 1 else float(rng.uniform(2.4, 3.2))
    elif category == "thumb":
        kw["thumb"] = p
    if category == "two_codes":
        return _two_codes(frame, p, severity, size, index, rng)
    if category == "negative":
        return _negative(frame, severity, size, index, rng, m)
    text = _payload(rng, index)
    if category in PAPER:
        cam = Camera(center, m, roll, tilt, float(rng.uniform(0, 180)))
        frame, quad = render_printed(category, severity, p, frame, qr_modules(text), cam, rng)
        return Sample(category, severity, size, index, (text,), _camera(frame, category, p, severity, quad, rng))
    frame, quad = _put_phone(frame, text, m, rng, center=center, roll=roll, tilt=tilt, **kw)  # type: ignore[arg-type]
    frame = _camera(frame, category, p, severity, quad, rng)
    return Sample(category, severity, size, index, (text,), frame)


def _camera(frame: np.ndarray, category: str, p: float, severity: int, quad: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """Lens, motion, light and the webcam's own processing (MJPG at quality 80 unless told)."""
    frame = cv2.GaussianBlur(frame, (0, 0), 0.6)
    if category == "motion_blur":
        frame = dg.motion_blur(frame, p, rng.uniform(0, 180))
    elif category == "defocus":
        frame = dg.defocus(frame, p)
    elif category == "inverted" and severity == 3:
        frame = dg.motion_blur(frame, 4, rng.uniform(0, 180))
    elif category == "glare":
        side = float(np.linalg.norm(quad[1] - quad[0]))
        c = quad.mean(axis=0) + rng.uniform(-0.25, 0.25, 2) * side
        frame = dg.glare(frame, (float(c[0]), float(c[1])), side * rng.uniform(0.2, 0.35), p)
    frame = dg.sensor(frame, rng, gain=p, noise=2.0 + 0.4 / p) if category == "low_light" else dg.sensor(frame, rng)
    return dg.jpeg(frame, int(p) if category == "jpeg" else 80)


def _two_codes(frame: np.ndarray, m: float, severity: int, size: str, index: int,
               rng: np.random.Generator) -> Sample:
    w, h = frame.shape[1], frame.shape[0]
    texts = (_payload(rng, index), PAYLOADS[(index * 7 + 3) % len(PAYLOADS)])
    quads = []
    for i, text in enumerate(texts):
        center = (w * (0.28 + 0.44 * i) + rng.uniform(-10, 10), h * rng.uniform(0.45, 0.55))
        frame, quad = _put_phone(frame, text, m, rng, center=center, roll=float(rng.uniform(-10, 10)),
                                 tilt=float(rng.uniform(0, 15)))
        quads.append(quad)
    frame = _camera(frame, "two_codes", m, severity, quads[0], rng)
    return Sample("two_codes", severity, size, index, texts, frame)


def _negative(frame: np.ndarray, severity: int, size: str, index: int, rng: np.random.Generator,
              m: float) -> Sample:
    w, h = frame.shape[1], frame.shape[0]
    if severity >= 2:  # a phone showing something else: squares, a checkerboard, text
        frame, _ = _put_phone(frame, None, m, rng, center=(w / 2, h / 2), roll=float(rng.uniform(-15, 15)),
                              tilt=float(rng.uniform(0, 25)), dark=severity == 3 and index % 2 == 0)
    frame = _camera(frame, "negative", 0, severity, np.zeros((4, 2), np.float32), rng)
    return Sample("negative", severity, size, index, (), frame)


def all_samples(per_cell: int, sizes: tuple[str, ...] = tuple(SIZES),
                categories: tuple[str, ...] = tuple(CATEGORIES)) -> Iterator[Sample]:
    for category, params in CATEGORIES.items():
        if category not in categories:
            continue
        for severity in range(1, len(params) + 1):
            for size in sizes:
                for index in range(per_cell):
                    yield render(category, severity, size, index)


def categories_arg(text: str) -> tuple[str, ...]:
    groups = {"screen": SCREEN_CATEGORIES, "paper": tuple(PAPER), "all": tuple(CATEGORIES)}
    names = [n for part in text.split(",") for n in groups.get(part.strip(), (part.strip(),))]
    unknown = [n for n in names if n not in CATEGORIES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown categories: {', '.join(unknown)}")
    return tuple(names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-cell", type=int, default=22)
    ap.add_argument("--categories", type=categories_arg, default=tuple(CATEGORIES),
                    help="comma-separated categories, or 'screen' / 'paper' (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="another deterministic set (default 0: the reported one)")
    args = ap.parse_args()
    global SEED
    SEED = args.seed
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "truth.jsonl").open("w") as truth:
        for s in all_samples(args.per_cell, categories=args.categories):
            cv2.imwrite(str(args.out / f"{s.name}.png"), s.image)
            truth.write(json.dumps({"file": f"{s.name}.png", "codes": list(s.truth)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
