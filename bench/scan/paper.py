"""Printed health codes: a sheet of paper with the code on it, as the printer and the hand left it.

The sheet is drawn flat at PX pixels per module (paper grain, ink with dot gain, a laser
printer's toner gaps, a title and lines of text), then bent (bench/scan/surface.py), lit,
and pictured by the webcam. Categories and their severities are in generate.CATEGORIES;
`render_paper` draws one of them into a frame and returns the code's corners there."""

from __future__ import annotations

import cv2
import numpy as np

from bench.scan import surface as sf
from bench.scan.scene import QUIET

PX = 8  # sheet pixels per module
INK = 0.1  # reflectance of a printed dark module on white paper
PAPER_CATEGORIES = ("print", "fold", "fold2", "crumple", "cylinder", "sleeve", "photo_of_print", "toner")


def ink_coverage(modules: np.ndarray, gain: float, bleed: float) -> np.ndarray:
    """0..1 ink per sheet pixel for the code with its quiet zone; `gain` widens each dark
    area by that fraction of a module (dot gain), `bleed` (in modules) softens its edges."""
    n = modules.shape[0] + 2 * QUIET
    padded = np.zeros((n, n), bool)
    padded[QUIET:QUIET + modules.shape[0], QUIET:QUIET + modules.shape[0]] = modules
    ink = np.kron(padded, np.ones((PX, PX), bool)).astype(np.uint8) * 255
    grow = round(gain * PX / 2)
    if grow > 0:
        ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    out = ink.astype(np.float32) / 255.0
    return cv2.GaussianBlur(out, (0, 0), bleed * PX) if bleed > 0 else out


def toner_gaps(ink: np.ndarray, streaks: float, fade: float, speckle: float, rng: np.random.Generator) -> np.ndarray:
    """A laser printer low on toner: light streaks along the paper's travel, fading, specks."""
    h, w = ink.shape
    vertical = rng.random() < 0.5
    length = w if vertical else h
    profile = np.ones(length, np.float32)
    covered = 0
    while covered < streaks * length:
        width = int(rng.uniform(0.2, 1.2) * PX)
        start = int(rng.integers(0, length - width))
        profile[start:start + width] *= rng.uniform(0.1, 0.5)
        covered += width
    profile = cv2.GaussianBlur(profile.reshape(1, -1), (0, 0), 0.15 * PX).ravel()
    mask = profile[None, :] if vertical else profile[:, None]
    holes = (rng.random((h // 2 + 1, w // 2 + 1)) > speckle).astype(np.float32)
    holes = cv2.resize(holes, (w, h), interpolation=cv2.INTER_NEAREST)
    return ink * mask * fade * holes


def sheet(modules: np.ndarray, rng: np.random.Generator, *, gain: float = 0.08, bleed: float = 0.08,
          grain: float = 0.03, toner: tuple[float, float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(reflectance image of the whole sheet at PX px/module, 0..1; the code's quad in sheet px)."""
    n = modules.shape[0]
    ink = ink_coverage(modules, gain, bleed)
    if toner is not None:
        ink = toner_gaps(ink, *toner, rng)
    side = ink.shape[0]
    mx, top, bottom = (int(rng.uniform(lo, hi) * PX) for lo, hi in ((6, 12), (12, 18), (16, 26)))
    h, w = side + top + bottom, side + 2 * mx
    paper = rng.uniform(0.86, 0.95) * np.ones((h, w), np.float32)
    # Grain at fibre scale and mottle over a few modules: what a camera sees of office paper.
    paper *= 1 + grain * sf.smooth_field((h, w), 1.5, rng) + grain * sf.smooth_field((h, w), 3 * PX, rng)
    full_ink = np.zeros((h, w), np.float32)
    full_ink[top:top + side, mx:mx + side] = ink
    cv2.rectangle(full_ink, (mx, top // 4), (mx + int(side * rng.uniform(0.5, 0.9)), top // 4 + PX * 3), 0.9, -1)
    for i in range(4):
        y = top + side + int((2 + 3 * i) * PX)
        cv2.rectangle(full_ink, (mx, y), (mx + int(side * rng.uniform(0.3, 1.0)), y + PX), 0.6, -1)
    img = paper * (1 - full_ink * (1 - INK))
    q0 = QUIET * PX
    quad = np.array([[mx + q0, top + q0], [mx + q0 + n * PX, top + q0], [mx + q0 + n * PX, top + q0 + n * PX],
                     [mx + q0, top + q0 + n * PX]], np.float32)
    return np.clip(img, 0, 1), quad


def picture(frame: np.ndarray, reflect: np.ndarray, quad: np.ndarray, surface: sf.Surface, cam: sf.Camera,
            light: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The bent sheet lit and seen by the camera over `frame`; returns (frame, code quad in frame px)."""
    h, w = frame.shape[:2]
    lamp = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.9, -0.2), -1.0], np.float32)
    centre = quad.mean(axis=0)
    yy, xx = np.mgrid[0:reflect.shape[0], 0:reflect.shape[1]].astype(np.float32)
    shade = cv2.remap(sf.shading(surface, lamp), ((xx - centre[0]) / PX - surface.a0) * sf.GRID,
                      ((yy - centre[1]) / PX - surface.b0) * sf.GRID, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    radiance = reflect * shade * light * 255.0
    blur = 0.45 * PX / cam.m
    if blur > 0.5:  # the lens's low-pass before the sensor samples the sheet
        radiance = cv2.GaussianBlur(radiance, (0, 0), blur)
    a, b, ok = sf.inverse_map(surface, cam, (w, h))
    u, v = a * PX + centre[0], b * PX + centre[1]
    seen = cv2.remap(radiance, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=-1)
    mask = cv2.remap(np.ones_like(radiance), u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = (np.clip(mask, 0, 1) * ok)[:, :, None]
    tint = np.array(rng.uniform(0.95, 1.05, 3), np.float32)
    out = np.clip(seen[:, :, None] * tint * alpha + frame.astype(np.float32) * (1 - alpha), 0, 255)
    corners = (quad - centre) / PX
    return out.astype(np.uint8), cam.project(surface.sample(corners[:, 0], corners[:, 1])).astype(np.float32)


def extent_of(reflect: np.ndarray, quad: np.ndarray) -> tuple[float, float, float, float]:
    """The sheet's extent in modules around the code's centre, with a little room for the map."""
    centre = quad.mean(axis=0)
    h, w = reflect.shape
    return (-centre[0] / PX - 2, -centre[1] / PX - 2, (w - centre[0]) / PX + 2, (h - centre[1]) / PX + 2)
