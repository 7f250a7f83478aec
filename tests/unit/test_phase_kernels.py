"""The compiled growth loops (phase_kernels.py) against the numpy arithmetic they replaced.

The reference below is phase.py's measure and correct and lattice.py's extrapolation as
they were written in numpy (full matrix products, no windows); the kernels must give the
same lattice to a small fraction of a pixel on blocks taken from real bent printouts, or
the bent reader silently reads less (docs/benchmarks.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan.generate import render
from checkpoint_app.core.scanning import compiled
from checkpoint_app.core.scanning import lattice as lt
from checkpoint_app.core.scanning import phase as ph
from checkpoint_app.core.scanning import phase_kernels as kn
from checkpoint_app.core.scanning.finders import find_finders, triples
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.preprocess import Gray, to_gray

ROOT = Path(__file__).resolve().parents[2]


def reference_measure(gray: Gray, block: np.ndarray, rows: slice, along: float = 2.0,
                      across: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    mx, my = ph.dense(block)
    flat = cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    f = np.log(flat.astype(np.float32) + 8.0)
    h, w = f.shape
    ex, ey = np.abs(f[:, 1:] - f[:, :-1]), np.abs(f[1:, :] - f[:-1, :])
    r0, r1, c1 = rows.start, rows.stop, block.shape[1]
    n_r = r1 - r0
    wx_rows = ph._weights(h, r0, r1, across, False)[2]
    wx_cols = ph._weights(w, 0, c1, along, True)
    sx = np.stack([wx_rows @ ex @ wx_cols[q].T for q in range(3)])
    wy_rows = ph._weights(h, r0, r1, across, True)
    wy_cols = ph._weights(w, 0, c1, along, False)[2]
    sy = np.stack([wy_rows[q] @ ey @ wy_cols.T for q in range(3)])
    both = np.concatenate((sx, sy)).reshape(6, n_r, c1)
    re, im, energy = both[0::3], both[1::3], both[2::3]
    offset = np.arctan2(im, re) * (-1 / (2 * np.pi))
    strength = np.hypot(re, im)
    typical = strength.sum(axis=(1, 2), keepdims=True) / strength[0].size + 1e-6
    trust = np.clip(strength * strength / ((energy + 1e-3) * (strength + 0.5 * typical)), 0, 1)
    return offset.astype(np.float32), trust.astype(np.float32)


def reference_correct(block: np.ndarray, offset: np.ndarray, trust: np.ndarray, rows: slice, cols: slice) -> None:
    c0, c1, r0, r1 = cols.start, cols.stop, rows.start, rows.stop
    ju = (block[r0:r1, c0 + 1:c1 + 1] - block[r0:r1, c0 - 1:c1 - 1]) / 2
    jv = (block[r0 + 1:r1 + 1, c0:c1] - block[r0 - 1:r1 - 1, c0:c1]) / 2
    w = trust[:, :, c0:c1] ** 2
    both = np.concatenate((w * offset[:, :, c0:c1], w)) @ ph.smoother(c1 - c0)
    d = np.clip(both[:2] / (both[2:] + 1e-6), -kn.LIMIT, kn.LIMIT)
    block[r0:r1, c0:c1] += kn.DAMPING * (d[0][..., None] * ju + d[1][..., None] * jv)


def reference_extrapolate(pts: np.ndarray, r0: int, end: int, inner: slice) -> None:
    smooth = ph.smoother(inner.stop - inner.start)
    slope = smooth @ ((pts[r0 - 1, inner] - pts[r0 - 3, inner]) / 2) / smooth.sum(axis=1, keepdims=True)
    ahead = np.arange(1, end - r0 + 1, dtype=np.float32)[:, None, None]
    pts[r0:end, inner] = pts[r0 - 1, inner] + ahead * slope
    reference_margins(pts[r0 - 3:end], inner)


def reference_margins(block: np.ndarray, inner: slice) -> None:
    a, b = inner.start, inner.stop
    block[:, :a] = block[:, a:a + 1] + np.arange(a, 0, -1, dtype=np.float32)[None, :, None] * (
        block[:, a:a + 1] - block[:, a + 1:a + 2])
    n_right = block.shape[1] - b
    block[:, b:] = block[:, b - 1:b] + np.arange(1, n_right + 1, dtype=np.float32)[None, :, None] * (
        block[:, b - 1:b] - block[:, b - 2:b - 1])


@cache
def bent_lattice(category: str, index: int) -> tuple[Gray, np.ndarray, int]:
    """A real printout's grown lattice: the gray image, the lattice and the code's size."""
    gray = to_gray(render(category, 2, "1280x720", index).image)
    assert gray is not None
    tl, tr, bl = triples(find_finders(gray))[0]
    grown = lt.grow(gray, tl, tr, bl, 120)
    assert grown is not None
    pts, n = grown
    return gray, pts, n


BLOCKS = [("fold", 3), ("crumple", 0), ("cylinder", 1)]


@pytest.mark.parametrize("name", BLOCKS, ids=lambda n: f"{n[0]}-{n[1]}")
def test_the_measurement_is_the_numpy_one_on_growth_blocks_and_whole_lattices(name: tuple[str, int]) -> None:
    gray, pts, n = bent_lattice(*name)
    rng = np.random.default_rng(7)
    cases = [(pts[r - 3:r + 3], slice(1, 4)) for r in range(lt.Q + 8, n, 5)]  # a growth step's block
    cases.append((pts, slice(lt.Q, lt.Q + n)))  # the whole lattice (resample.read_through)
    # and the same a module off: a lattice that is wrong is what the measurement is for
    cases += [(b + rng.normal(0, 2, b.shape).astype(np.float32), r) for b, r in cases]
    for block, rows in cases:
        block = np.ascontiguousarray(block)
        want_offset, want_trust = reference_measure(gray, block, rows)
        offset, trust = ph.measure(gray, block, rows)
        # a phase is an angle: compare it the short way round, where the measurement is trusted
        off = np.abs((offset - want_offset + 0.5) % 1.0 - 0.5)
        assert float((off * np.minimum(trust, want_trust)).max()) < 1e-3
        assert float(np.abs(trust - want_trust).max()) < 5e-3


@pytest.mark.parametrize("name", BLOCKS, ids=lambda n: f"{n[0]}-{n[1]}")
def test_the_correction_and_the_extrapolation_are_the_numpy_ones(name: tuple[str, int]) -> None:
    gray, pts, n = bent_lattice(*name)
    inner = slice(lt.Q, lt.Q + n)
    for r in range(lt.Q + 8, n, 7):
        block = np.ascontiguousarray(pts[r - 3:r + 3])
        measured = ph.measure(gray, block, slice(1, 4))
        want, got = block.copy(), block.copy()
        reference_correct(want, *measured, slice(1, 4), inner)
        ph.correct(got, measured, slice(1, 4), inner)
        assert float(np.abs(got - want).max()) < 0.01  # pixels
        want, got = pts.copy(), pts.copy()
        reference_extrapolate(want, r, r + 3, inner)
        kn.extrapolate(got, r, r + 3, inner.start, inner.stop, ph.smoother(n))
        assert float(np.abs(got - want).max()) < 1e-3
    # margins of a transposed view (lattice.margins_all fills the margin rows through one)
    want, got = pts.copy(), pts.copy()
    reference_margins(want, inner)
    reference_margins(want.transpose(1, 0, 2), inner)
    lt.margins_all(got, inner)
    assert float(np.abs(got - want).max()) < 1e-3


FIRST_FRAME = (
    "import logging, sys, time\n"
    "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(levelname)s %(message)s')\n"
    "from bench.scan.generate import render\n"
    "from checkpoint_app.core.scanning.pipeline import ScanPipeline\n"
    "s = render('fold', 2, '1280x720', 3)\n"
    "t0 = time.perf_counter(); r = ScanPipeline(budget_ms=5000).decode(s.image, 0.0)\n"
    "read = [c.text for c in r.codes] == list(s.truth)\n"
    "print('took', time.perf_counter() - t0, 'frame', r.ms / 1000, 'read', read)\n"
)


def first_frame(**env: str) -> tuple[list[str], float, float]:
    """A new process decoding one bent printout: its log lines, the time the decode call
    took and the time the frame itself reports (both in s); asserts that it read the code."""
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME], env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                         cwd=ROOT, capture_output=True, text=True, timeout=240, check=True).stdout
    *lines, last = out.strip().splitlines()
    took, frame, read = last.split()[1::2]
    assert read == "True"
    return lines, float(took), float(frame)


@pytest.mark.slow
def test_the_first_frame_is_not_charged_for_compiling_and_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    # An empty numba cache: the process compiles the loops (seconds) before its first frame's
    # clock starts, so that frame keeps its budget, says once that it compiled, and keeps them
    lines, took, frame = first_frame(NUMBA_CACHE_DIR=str(tmp_path))
    assert any("compiled the grid readers in" in line for line in lines)
    assert took - frame > 2.0
    index = list(tmp_path.rglob("*.nbi"))
    assert index
    # a damaged cache (a bad sector, a half-copied folder) must not fail every frame: it is
    # emptied, compiled afresh and written again, and the start after that loads it
    for f in index:
        f.write_bytes(b"\x80\x04garbage")
    lines, took, frame = first_frame(NUMBA_CACHE_DIR=str(tmp_path))
    assert any(line.startswith("WARNING the grid readers' compiled cache cannot be used") for line in lines)
    lines, took, frame = first_frame(NUMBA_CACHE_DIR=str(tmp_path))
    assert not any("grid readers" in line for line in lines)
    assert took - frame < 2.0


@pytest.mark.slow
def test_without_a_writable_cache_folder_the_loops_are_compiled_at_every_start() -> None:
    # A read-only installation run by an account whose home is not writable either: numba
    # refuses to cache at import ("no locator available"); the scanner must still start
    lines, took, frame = first_frame(NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator",
                                     NUMBA_CACHE_DIR="/proc/no-cache-here")
    assert any(line.startswith("WARNING compiled the grid readers in") and "at every start" in line for line in lines)
    assert took - frame > 2.0


def test_when_the_loops_cannot_be_compiled_the_scanner_goes_on_without_the_readers_that_need_them(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # The compiler failing on a machine cannot be produced here (LLVM ignores even a CPU it
    # does not know); its failure is injected where compiled.prepare reports it
    def broken() -> None:
        raise RuntimeError("LLVM ERROR: out of memory")

    monkeypatch.setattr(compiled, "_dispatchers", [])
    assert compiled.prepare(broken) is False
    assert "cannot be compiled" in caplog.text
    monkeypatch.setattr(kn, "warm", lambda: False)
    pipe = ScanPipeline(budget_ms=1000)
    screen = render("nominal", 1, "640x480", 0)
    assert pipe.decode(screen.image, 0.0).texts == list(screen.truth)  # the libraries still read
    assert not any(a.compiled for a in pipe._ladder + pipe._located_ladder + pipe._dark_ladder)
    dark = render("low_light", 3, "640x480", 0)  # the dark ladder and its fused frames: no noise reader
    for i in range(4):
        pipe.decode(dark.image, float(i))


def test_the_compilers_objects_stay_out_of_the_garbage_collectors_full_passes() -> None:
    # numba leaves some 80,000 long-lived objects: each full collection took 50-70 ms in
    # whichever thread it fell (a 30 ms video frame took 90-107 ms). After the first frame
    # they are frozen out of the collector, and given back at exit without zxing-cpp's
    # bindings reporting leaks on stderr
    script = (
        "import gc\n"
        "from bench.scan.generate import render\n"
        "from checkpoint_app.core.scanning.pipeline import ScanPipeline\n"
        "s = render('nominal', 1, '640x480', 0)\n"
        "assert ScanPipeline().decode(s.image, 0.0).texts == list(s.truth)\n"
        "print(gc.get_freeze_count())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                         capture_output=True, text=True, timeout=240, check=True)
    assert int(out.stdout.strip()) > 50_000
    assert out.stderr == ""
