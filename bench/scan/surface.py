"""Bent paper seen by a pinhole camera: a sheet's 3D shape, its shading, and its picture.

A surface is three maps X, Y, Z (in modules) sampled on a grid over the flat sheet's
coordinates (a, b), also in modules with the code's centre at (0, 0): flat, folded along
one or two soft creases, crumpled (a smooth random height and displacement field), or
wrapped around a cylinder. The camera is the one of `scene.pose_homography` (the same
perspective strength as the phone scenes): roll, tilt about an in-plane axis, m frame
pixels per module at the code's centre. Rendering inverts the projection by Newton's
method on a coarse grid of frame pixels, so every frame pixel knows which sheet point it
sees, and the sheet's texture is resampled with cv2.remap."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

GRID = 2  # surface samples per module


@dataclass(frozen=True)
class Surface:
    xyz: np.ndarray  # (H, W, 3) float32, module units
    a0: float  # sheet coordinates of sample (0, 0), modules
    b0: float

    def sample(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """3D points at sheet coordinates (a, b) (any matching shapes), bilinear."""
        ma = ((a - self.a0) * GRID).astype(np.float32)
        mb = ((b - self.b0) * GRID).astype(np.float32)
        shape, n = a.shape, a.size
        cols = 1024  # remap wants 2D maps under 32767 a side
        pad = -n % cols
        ma = np.pad(ma.ravel(), (0, pad)).reshape(-1, cols)
        mb = np.pad(mb.ravel(), (0, pad)).reshape(-1, cols)
        out = cv2.remap(self.xyz, ma, mb, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return out.reshape(-1, 3)[:n].reshape(*shape, 3)

    def normals(self) -> np.ndarray:
        gy, gx = np.gradient(self.xyz, axis=(0, 1))
        n = np.cross(gx, gy)
        return n / np.maximum(np.linalg.norm(n, axis=2, keepdims=True), 1e-6)


def _grid(extent: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    a0, b0, a1, b1 = extent
    bb, aa = np.mgrid[0:int((b1 - b0) * GRID) + 1, 0:int((a1 - a0) * GRID) + 1].astype(np.float32) / GRID
    return aa + a0, bb + b0


def flat(extent: tuple[float, float, float, float]) -> Surface:
    a, b = _grid(extent)
    return Surface(np.dstack((a, b, np.zeros_like(a))).astype(np.float32), extent[0], extent[1])


def _soft_fold(s: np.ndarray, angle: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Profile across a crease: arc length s -> (in-plane s', height z); the tangent turns by
    `angle` radians over about `width` modules, as an unfolded crease does."""
    table = np.linspace(-400, 400, 16001)
    psi = angle / (1 + np.exp(-table / width))
    step = table[1] - table[0]
    sx, sz = np.cumsum(np.cos(psi)) * step, np.cumsum(np.sin(psi)) * step
    i0 = len(table) // 2
    sx, sz = sx - sx[i0], sz - sz[i0]
    return np.interp(s, table, sx), np.interp(s, table, sz)


def folded(extent: tuple[float, float, float, float], creases: list[tuple[float, float, float, float]]) -> Surface:
    """creases: (point a, point b, direction of the crease line in degrees, fold angle in
    degrees; the sign says mountain or valley). Each crease bends the sheet's far side."""
    a, b = _grid(extent)
    x, y, z = a.copy(), b.copy(), np.zeros_like(a)
    for pa, pb, direction, angle in creases:
        d = math.radians(direction)
        nx, ny = -math.sin(d), math.cos(d)
        s = (a - pa) * nx + (b - pb) * ny
        sp, sz = _soft_fold(s, math.radians(angle), 0.8)
        x, y, z = x + (sp - s) * nx, y + (sp - s) * ny, z + sz
    return Surface(np.dstack((x, y, z)).astype(np.float32), extent[0], extent[1])


def smooth_field(shape: tuple[int, int], cell: float, rng: np.random.Generator) -> np.ndarray:
    """Zero-mean random field of unit standard deviation, correlated over about `cell` samples."""
    coarse = rng.normal(0, 1, (max(2, int(shape[0] / cell) + 2), max(2, int(shape[1] / cell) + 2)))
    field = cv2.resize(coarse.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    field -= field.mean()
    return field / max(float(field.std()), 1e-6)


def crumpled(extent: tuple[float, float, float, float], shift: float, height: float,
             rng: np.random.Generator) -> Surface:
    """A crumpled sheet smoothed out by hand: in-plane displacement of about `shift`
    modules and heights of about `height` modules, correlated over ~10 modules, plus
    small ridges where the paper creased."""
    a, b = _grid(extent)
    cell = 10 * GRID
    dx, dy = (shift * smooth_field(a.shape, cell, rng) for _ in range(2))
    ridges = np.abs(smooth_field(a.shape, 4 * GRID, rng))
    z = height * smooth_field(a.shape, cell, rng) + 0.25 * height * (ridges - ridges.mean())
    return Surface(np.dstack((a + dx, b + dy, z)).astype(np.float32), extent[0], extent[1])


def cylinder(extent: tuple[float, float, float, float], radius: float, axis_deg: float, convex: bool) -> Surface:
    """The sheet wrapped around a cylinder (a hand, a bottle) whose axis lies at axis_deg."""
    a, b = _grid(extent)
    d = math.radians(axis_deg)
    ux, uy = math.cos(d), math.sin(d)  # along the axis
    nx, ny = -uy, ux  # around it
    t, s = a * ux + b * uy, a * nx + b * ny
    sign = -1.0 if convex else 1.0
    sp, sz = radius * np.sin(s / radius), sign * radius * (1 - np.cos(s / radius))
    return Surface(np.dstack((t * ux + sp * nx, t * uy + sp * ny, sz)).astype(np.float32), extent[0], extent[1])


@dataclass(frozen=True)
class Camera:
    """Roll, tilt about an in-plane axis, m frame pixels per module at the sheet's origin."""

    center: tuple[float, float]
    m: float
    roll: float
    tilt: float
    tilt_axis: float

    def rotation(self) -> np.ndarray:
        a, t, r = math.radians(self.tilt_axis), math.radians(self.tilt), math.radians(self.roll)
        rot_t = cv2.Rodrigues(np.array([math.cos(a), math.sin(a), 0.0]) * t)[0]
        rot_r = cv2.Rodrigues(np.array([0.0, 0.0, r]))[0]
        return (rot_r @ rot_t).astype(np.float32)

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(..., 3) points in modules -> (..., 2) frame pixels (distance as in pose_homography)."""
        dist = 1000.0 / self.m  # modules: the phone scenes' 1600 screen px at 1.6 m px per module
        p = pts @ self.rotation().T
        zc = p[..., 2:3] + dist
        return p[..., :2] / zc * (dist * self.m) + np.array(self.center, np.float32)


def inverse_map(surface: Surface, cam: Camera, size: tuple[int, int], step: int = 4,
                iterations: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each frame pixel the sheet coordinates (a, b) it sees and whether it sees the sheet."""
    w, h = size
    gy, gx = np.mgrid[0:h + step:step, 0:w + step:step].astype(np.float32)
    target = np.dstack((gx, gy))
    flat_corners = np.array([[-20, -20], [20, -20], [20, 20], [-20, 20]], np.float32)
    seen = cam.project(surface.sample(flat_corners[:, 0], flat_corners[:, 1]))
    hom = cv2.getPerspectiveTransform(seen.astype(np.float32), flat_corners)
    ab = cv2.perspectiveTransform(target.reshape(-1, 1, 2), hom).reshape(target.shape)
    a, b = ab[..., 0], ab[..., 1]
    eps = 0.05
    for _ in range(iterations):
        f0 = cam.project(surface.sample(a, b))
        fa = (cam.project(surface.sample(a + eps, b)) - f0) / eps
        fb = (cam.project(surface.sample(a, b + eps)) - f0) / eps
        r = f0 - target
        det = fa[..., 0] * fb[..., 1] - fa[..., 1] * fb[..., 0]
        det = np.where(np.abs(det) < 1e-6, 1e-6, det)
        da = (fb[..., 1] * r[..., 0] - fb[..., 0] * r[..., 1]) / det
        db = (-fa[..., 1] * r[..., 0] + fa[..., 0] * r[..., 1]) / det
        a, b = a - np.clip(da, -4, 4), b - np.clip(db, -4, 4)
    err = np.linalg.norm(cam.project(surface.sample(a, b)) - target, axis=2)
    ok = (err < 0.5).astype(np.float32)
    fy, fx = np.mgrid[0:h, 0:w].astype(np.float32) / step
    full = [cv2.remap(v.astype(np.float32), fx, fy, cv2.INTER_LINEAR) for v in (a, b, ok)]
    return full[0], full[1], full[2] > 0.99


def shading(surface: Surface, light: np.ndarray, ambient: float = 0.35) -> np.ndarray:
    """Lambertian brightness per surface sample, 1.0 for a flat sheet facing the light."""
    n = surface.normals()
    light = light / np.linalg.norm(light)
    # light points from the sheet toward the lamp; a flat sheet's normal is +z (away from the camera)
    lam = np.clip(-(n @ light), 0, None) / max(float(light[2] * -1), 1e-3)
    return (ambient + (1 - ambient) * lam).astype(np.float32)
