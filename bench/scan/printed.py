"""The printed-code categories of the benchmark: which sheet, which bend, which light.

    generate.render(category, ...) -> render_printed(...) for the categories in PAPER

Each severity's parameter is the number in generate.CATEGORIES; the others scale with it."""

from __future__ import annotations

import math

import cv2
import numpy as np

from bench.scan import degrade as dg
from bench.scan import surface as sf
from bench.scan.paper import extent_of, picture, sheet
from bench.scan.scene import place, pose_homography, quad_through

# category -> parameter per severity 1..3 (what the number means is in generate.CATEGORIES)
PAPER: dict[str, tuple[float, ...]] = {
    "print": (0.25, 0.45, 0.65),         # dot gain, fraction of a module (grain and ink bleed grow with it)
    "fold": (25, 40, 55),                # one crease, fold angle in degrees
    "fold2": (20, 32, 45),               # two creases, fold angle in degrees
    "crumple": (0.2, 0.4, 0.6),          # in-plane displacement, modules (heights twice that)
    "cylinder": (60, 90, 120),           # arc the code covers around a cylinder, degrees
    "sleeve": (200, 300, 450),           # peak of the sleeve's specular streaks (one; two at 3)
    "photo_of_print": (15, 30, 45),      # tilt of the printout in the phone photo, degrees
    "toner": (0.1, 0.25, 0.4),           # fraction of the sheet under toner streaks
}


def render_printed(category: str, severity: int, p: float, frame: np.ndarray, modules: np.ndarray,
                   cam: sf.Camera, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw the printed code into `frame`; returns (frame, the code's four corners in it)."""
    if category == "photo_of_print":
        return photo_of_print(frame, modules, severity, p, cam, rng)
    kw: dict[str, object] = {}
    if category == "print":
        kw = {"gain": p, "bleed": 0.02 + 0.04 * severity, "grain": 0.02 + 0.015 * severity}
    elif category == "toner":
        kw = {"toner": (p, (0.9, 0.8, 0.7)[severity - 1], (0.0, 0.03, 0.06)[severity - 1])}
    reflect, quad = sheet(modules, rng, **kw)  # type: ignore[arg-type]
    extent = extent_of(reflect, quad)
    n = modules.shape[0]
    if category == "fold":
        surface = sf.folded(extent, [_crease(rng, n, p)])
    elif category == "fold2":
        first = _crease(rng, n, p)
        second = _crease(rng, n, -p, direction=first[2] + (90 if rng.random() < 0.6 else 0))
        surface = sf.folded(extent, [first, second])
    elif category == "crumple":
        surface = sf.crumpled(extent, p, 2 * p, rng)
    elif category == "cylinder":
        radius = n / math.radians(p)
        surface = sf.cylinder(extent, radius, float(rng.choice([0, 90]) + rng.uniform(-20, 20)), rng.random() < 0.5)
    else:
        surface = sf.flat(extent)
    out, corners = picture(frame, reflect, quad, surface, cam, float(rng.uniform(0.75, 0.95)), rng)
    if category == "sleeve":
        out = sleeve_streaks(out, corners, p, 2 if severity == 3 else 1, rng)
    return out, corners


def _crease(rng: np.random.Generator, n: int, angle: float,
            direction: float | None = None) -> tuple[float, float, float, float]:
    """A crease through the code (a printout folded to fit a pocket), near its middle."""
    where = rng.uniform(-0.25, 0.25, 2) * n
    d = float(rng.choice([0, 90]) + rng.uniform(-10, 10)) if direction is None else direction
    return float(where[0]), float(where[1]), d, angle * float(rng.choice([-1, 1]))


def sleeve_streaks(frame: np.ndarray, quad: np.ndarray, peak: float, count: int,
                   rng: np.random.Generator) -> np.ndarray:
    """A clear plastic sleeve over the sheet: a faint haze plus long specular streaks from the
    ceiling lights, bent where the plastic is wrinkled, saturating in their cores."""
    h, w = frame.shape[:2]
    side = float(np.linalg.norm(quad[1] - quad[0]))
    centre = quad.mean(axis=0)
    sleeve = np.zeros((h, w), np.float32)
    cv2.fillConvexPoly(sleeve, ((quad - centre) * 1.6 + centre).astype(np.int32), 1.0)
    sleeve = cv2.GaussianBlur(sleeve, (0, 0), side * 0.03)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = np.full((h, w), 10.0, np.float32)
    for _ in range(count):
        c = centre + rng.uniform(-0.35, 0.35, 2) * side
        ang = math.radians(rng.uniform(0, 180))
        ux, uy = math.cos(ang), math.sin(ang)
        along = (xx - c[0]) * ux + (yy - c[1]) * uy
        across = -(xx - c[0]) * uy + (yy - c[1]) * ux
        across += side * 0.03 * np.sin(along / (side * rng.uniform(0.25, 0.5)) + rng.uniform(0, 6))
        width = side * rng.uniform(0.03, 0.07)
        light += peak * np.exp(-((across / width) ** 2))
    light *= sleeve
    haze = 1 - 0.06 * sleeve
    return np.clip(frame.astype(np.float32) * haze[:, :, None] + light[:, :, None], 0, 255).astype(np.uint8)


def photo_of_print(frame: np.ndarray, modules: np.ndarray, severity: int, tilt: float, cam: sf.Camera,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A phone showing a photo of the printout: inner tilt, uneven light and blur by severity."""
    shadow, blur, smaller = ((0.0, 0.6, 0.9), (0.35, 1.0, 0.8), (0.55, 1.5, 0.7))[severity - 1]
    reflect, quad = sheet(modules, rng)
    pw, ph = 540, 960
    inner = sf.Camera((pw / 2, ph * 0.45), float(rng.uniform(4.5, 6.0)), float(rng.uniform(-8, 8)),
                      tilt + float(rng.uniform(-3, 3)), float(rng.uniform(0, 180)))
    desk = np.full((ph, pw, 3), rng.uniform(60, 140, 3), np.uint8)
    photo, inner_quad = picture(desk, reflect, quad, sf.flat(extent_of(reflect, quad)), inner, 0.9, rng)
    if shadow > 0:  # the photographer's own shadow across part of the code
        yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
        ang = rng.uniform(0, math.pi)
        edge = (xx - pw * rng.uniform(0.35, 0.65)) * math.cos(ang) + (yy - ph * 0.45) * math.sin(ang)
        photo = (photo * (1 - shadow / (1 + np.exp(-edge / 8)))[:, :, None]).astype(np.uint8)
    photo = dg.jpeg(cv2.GaussianBlur(photo, (0, 0), blur), 70)  # as a chat app sends it
    bezel = pw // 30
    phone = np.full((ph + 6 * bezel, pw + 2 * bezel, 3), (12, 12, 14), np.uint8)
    if severity == 3:  # the phone's pixel grid: moiré on top of the photo's own blur
        grid = np.ones((ph, pw), np.float32)
        grid[::2, :] -= 0.25
        grid[:, ::2] -= 0.25
        photo = (photo * grid[:, :, None]).astype(np.uint8)
    phone[3 * bezel:3 * bezel + ph, bezel:bezel + pw] = photo
    inner_quad = inner_quad + np.array([bezel, 3 * bezel], np.float32)
    side = float(np.linalg.norm(inner_quad[1] - inner_quad[0]))
    # frame px per phone px: the photo shows the whole sheet, so the code is smaller than on a code screen
    scale = smaller * cam.m * modules.shape[0] / side
    qc = inner_quad.mean(axis=0)
    shift = np.array([[1, 0, phone.shape[1] / 2 - qc[0]], [0, 1, phone.shape[0] / 2 - qc[1]], [0, 0, 1]])
    hom = pose_homography(phone.shape[1], phone.shape[0], cam.center, scale, cam.roll, cam.tilt,
                          cam.tilt_axis) @ shift
    return place(frame, phone, hom), quad_through(hom, inner_quad)
