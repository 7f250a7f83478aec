"""Render a phone screen showing a QR code and place it in a webcam frame.

The screen is drawn at a resolution close to the one it will have in the frame and then
projected with a pinhole homography, so module size, tilt and rotation are physical
quantities (pixels per module, degrees) rather than arbitrary warps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import qrcode
import qrcode.constants
import qrcode.util

QUIET = 4  # modules of quiet zone the app draws around the code


def qr_modules(text: str) -> np.ndarray:
    """Module matrix (True = dark) without quiet zone, EC level M, alphanumeric where possible."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
    try:
        qr.add_data(qrcode.util.QRData(text.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    except (ValueError, UnicodeEncodeError):
        qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


@dataclass(frozen=True)
class Screen:
    image: np.ndarray  # BGR, the whole phone (bezel + screen)
    qr_quad: np.ndarray  # 4x2 corners of the code (without quiet zone) in image pixels
    px_per_module: float


def render_phone(modules: np.ndarray | None, px: int, rng: np.random.Generator, *, dark: bool = False,
                 grid: float = 0.0) -> Screen:
    """A phone of `px` screen pixels per QR module; `modules=None` draws a screen without a code.

    `grid` darkens the gaps between screen pixels (0..1), the cause of moiré on camera."""
    n = 57 if modules is None else modules.shape[0]
    side = (n + 2 * QUIET) * px
    w, h = side + 6 * px, int(side * 2.0)
    bg = (30, 30, 30) if dark else (245, 245, 245)
    fg = (235, 235, 235) if dark else (20, 20, 20)
    screen = np.full((h, w, 3), bg, np.uint8)
    header = (40, 150, 60) if rng.random() < 0.6 else (200, 120, 30)
    cv2.rectangle(screen, (0, 0), (w, int(0.18 * h)), header, -1)
    for i in range(4):  # a few lines of "text" under the code, like a health-code app
        y = int(0.78 * h) + i * 3 * px
        cv2.rectangle(screen, (3 * px, y), (int(w * rng.uniform(0.4, 0.9)), y + px), (128, 128, 128), -1)
    top = int(0.22 * h)
    x0 = (w - side) // 2
    if modules is None:
        _draw_decoy(screen, x0, top, side, rng, fg)
    else:
        tile = np.where(np.kron(modules, np.ones((px, px), bool)), 0, 255).astype(np.uint8)
        if dark:
            tile = 255 - tile
            cv2.rectangle(screen, (x0, top), (x0 + side, top + side), bg, -1)
        else:
            cv2.rectangle(screen, (x0, top), (x0 + side, top + side), (255, 255, 255), -1)
        q0 = QUIET * px
        screen[top + q0:top + q0 + n * px, x0 + q0:x0 + q0 + n * px] = tile[:, :, None]
    if grid > 0:
        period = max(2, px // 2)
        mask = np.ones((h, w), np.float32)
        mask[::period, :] -= grid
        mask[:, ::period] -= grid
        screen = (screen * np.clip(mask, 0, 1)[:, :, None]).astype(np.uint8)
    bezel = 4 * px
    phone = np.full((h + 2 * bezel + 8 * px, w + 2 * bezel, 3), (12, 12, 14), np.uint8)
    phone[bezel + 4 * px:bezel + 4 * px + h, bezel:bezel + w] = screen
    ox, oy = bezel + x0 + QUIET * px, bezel + 4 * px + top + QUIET * px
    quad = np.array([[ox, oy], [ox + n * px, oy], [ox + n * px, oy + n * px], [ox, oy + n * px]], np.float32)
    return Screen(phone, quad, float(px))


def _draw_decoy(screen: np.ndarray, x0: int, top: int, side: int, rng: np.random.Generator,
                fg: tuple[int, int, int]) -> None:
    """Things that look a little like codes: a checkerboard, squares, text blocks."""
    kind = rng.integers(3)
    if kind == 0:
        cell = max(4, side // 12)
        for r in range(side // cell):
            for c in range(side // cell):
                if (r + c) % 2:
                    cv2.rectangle(screen, (x0 + c * cell, top + r * cell), (x0 + (c + 1) * cell, top + (r + 1) * cell),
                                  fg, -1)
    elif kind == 1:
        for _ in range(25):
            x, y = rng.integers(0, side - 10, 2)
            s = int(rng.integers(5, max(6, side // 6)))
            cv2.rectangle(screen, (x0 + int(x), top + int(y)), (x0 + int(x) + s, top + int(y) + s), fg,
                          int(rng.choice([-1, 2])))
    else:
        for i in range(side // 14):
            cv2.putText(screen, "ABC 123 xyz"[: int(rng.integers(3, 11))], (x0, top + 14 * i + 12),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.45, fg, 1)


def pose_homography(src_w: float, src_h: float, center: tuple[float, float], scale: float, roll_deg: float,
                    tilt_deg: float, tilt_axis_deg: float) -> np.ndarray:
    """Homography of a flat object of size (src_w, src_h) seen by a pinhole camera.

    scale = frame pixels per object pixel at the object's centre; tilt rotates the object
    about an in-plane axis at angle tilt_axis_deg, roll about the optical axis."""
    f = 1000.0  # focal length in object pixels at unit scale; perspective strength follows
    a, t, r = math.radians(tilt_axis_deg), math.radians(tilt_deg), math.radians(roll_deg)
    axis = np.array([math.cos(a), math.sin(a), 0.0])
    rot_t = cv2.Rodrigues(axis * t)[0]
    rot_r = cv2.Rodrigues(np.array([0.0, 0.0, r]))[0]
    corners = np.array([[-src_w / 2, -src_h / 2, 0], [src_w / 2, -src_h / 2, 0],
                        [src_w / 2, src_h / 2, 0], [-src_w / 2, src_h / 2, 0]])
    pts = (rot_r @ rot_t @ corners.T).T + np.array([0, 0, f * 1.6])
    proj = pts[:, :2] / pts[:, 2:3] * (f * 1.6) * scale + np.array(center)
    src = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], np.float32)
    return cv2.getPerspectiveTransform(src, proj.astype(np.float32))


def place(frame: np.ndarray, obj: np.ndarray, hom: np.ndarray, *, antialias: bool = True) -> np.ndarray:
    """Paste obj into frame through hom (no-alias prefilter unless told, as a lens would)."""
    scale = math.sqrt(abs(np.linalg.det(hom[:2, :2]))) if hom[2, 2] else 1.0
    src = obj
    if antialias and scale < 0.8:
        src = cv2.GaussianBlur(obj, (0, 0), 0.45 / max(scale, 0.05))
    h, w = frame.shape[:2]
    warped = cv2.warpPerspective(src, hom, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(obj.shape[:2], 255, np.uint8), hom, (w, h), flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    return (warped * alpha + frame * (1 - alpha)).astype(np.uint8)


def background(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A checkpoint desk/scene: gradient, some objects, texture."""
    base = rng.uniform(60, 180, 3)
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = (gx / w - 0.5) * rng.uniform(-60, 60) + (gy / h - 0.5) * rng.uniform(-60, 60)
    img = np.clip(base[None, None, :] + grad[:, :, None], 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(3, 9))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        color = tuple(int(c) for c in rng.uniform(0, 255, 3))
        if rng.random() < 0.5:
            x1, y1 = x + int(rng.integers(20, w // 3)), y + int(rng.integers(20, h // 3))
            cv2.rectangle(img, (x, y), (x1, y1), color, -1)
        else:
            cv2.circle(img, (x, y), int(rng.integers(10, h // 5)), color, -1)
    noise = rng.normal(0, 6, (h // 8 + 1, w // 8 + 1, 1)).astype(np.float32)
    tex = cv2.resize(noise, (w, h), interpolation=cv2.INTER_LINEAR)[:, :, None]
    return np.clip(img + tex, 0, 255).astype(np.uint8)


def quad_through(hom: np.ndarray, quad: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float32), hom).reshape(-1, 2)


def phone_frame(texts: list[str], m: float = 4.0, size: tuple[int, int] = (1280, 720), seed: int = 1) -> np.ndarray:
    """A webcam frame with one phone per text, side by side, `m` pixels per module."""
    rng = np.random.default_rng(seed)
    w, h = size
    frame = background(h, w, rng)
    for i, text in enumerate(texts):
        scr = render_phone(qr_modules(text), max(2, round(m * 1.6)), rng)
        qc = scr.qr_quad.mean(axis=0)
        ph, pw = scr.image.shape[:2]
        shift = np.array([[1, 0, pw / 2 - qc[0]], [0, 1, ph / 2 - qc[1]], [0, 0, 1]])
        center = (w * (i + 0.5) / len(texts), h / 2)
        frame = place(frame, scr.image, pose_homography(pw, ph, center, m / scr.px_per_module, 5, 10, 30) @ shift)
    return frame
