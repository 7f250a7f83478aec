"""Physical degradations of a webcam frame of a phone screen, each with one strength knob."""

from __future__ import annotations

import math

import cv2
import numpy as np


def motion_blur(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    if length < 1.5:
        return img
    k = math.ceil(length) | 1
    kernel = np.zeros((k, k), np.float32)
    c = k // 2
    dx, dy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    for i in np.linspace(-length / 2, length / 2, k * 3):
        kernel[round(c + i * dy), round(c + i * dx)] += 1
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def defocus(img: np.ndarray, radius: float) -> np.ndarray:
    k = math.ceil(radius) * 2 + 1
    yy, xx = np.mgrid[0:k, 0:k] - k // 2
    kernel = (xx**2 + yy**2 <= radius**2).astype(np.float32)
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def sensor(img: np.ndarray, rng: np.random.Generator, gain: float = 1.0, noise: float = 2.5) -> np.ndarray:
    """Exposure gain and read noise, as a webcam adds them."""
    out = img.astype(np.float32) * gain + rng.normal(0, noise, img.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def glare(img: np.ndarray, center: tuple[float, float], radius: float, peak: float) -> np.ndarray:
    """A specular highlight: an additive, elongated bright blob that saturates in its core."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = ((xx - center[0]) / (radius * 1.6)) ** 2 + ((yy - center[1]) / radius) ** 2
    blob = peak * np.exp(-d2 * 2.0)
    return np.clip(img.astype(np.float32) + blob[:, :, None], 0, 255).astype(np.uint8)


def contrast(img: np.ndarray, factor: float, ambient: float = 110.0) -> np.ndarray:
    """A dimmed screen under ambient light: its black rises and its white falls."""
    out = ambient * (1 - factor) + img.astype(np.float32) * factor
    return np.clip(out, 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def thumb(phone: np.ndarray, quad: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Cover about `fraction` of the code's area with a thumb entering from its lower edge or a side."""
    x0, y0 = quad[0]
    side = float(quad[1][0] - quad[0][0])
    side_kind = int(rng.integers(3))  # 0 bottom, 1 left, 2 right
    along = rng.uniform(0.3, 0.7)
    best = phone
    for depth in np.linspace(0.05, 0.6, 24):
        out = phone.copy()
        mask = np.zeros(phone.shape[:2], np.uint8)
        axes = (int(side * 0.22), int(side * 0.45))
        if side_kind == 0:
            c, ang = (x0 + along * side, y0 + side * (1 - depth) + axes[1]), 0.0
        elif side_kind == 1:
            c, ang = (x0 + side * depth - axes[1], y0 + along * side), 90.0
        else:
            c, ang = (x0 + side * (1 - depth) + axes[1], y0 + along * side), 90.0
        ang += rng.uniform(-25, 25)
        cv2.ellipse(mask, (int(c[0]), int(c[1])), axes, ang, 0, 360, 255, -1)
        covered = mask[int(y0):int(y0 + side), int(x0):int(x0 + side)].mean() / 255.0
        skin = np.array([120, 150, 205], np.float32) * rng.uniform(0.8, 1.1)
        shade = cv2.GaussianBlur(mask, (0, 0), side * 0.03).astype(np.float32)[:, :, None] / 255.0
        out = (out * (1 - shade) + skin * shade).astype(np.uint8)
        best = out
        if covered >= fraction:
            break
    return best
