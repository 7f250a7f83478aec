"""The frozen bundle's compiled-loop cache (phase_kernels.py, numba) must not depend on the
folder the bundle is started from. In a PyInstaller bundle a module's file name is relative
(checkpoint_app/core/scanning/phase_kernels.py), and numba resolves it against the current
directory: a bundle started from a folder holding such a path reads and writes numba's
pickles under that folder (whoever can write there runs code in the checkpoint), and
started from anywhere else it keeps one user cache per starting folder, so the selftest run
at installation (from the installer's folder) spares nothing to the kiosk's autostart.

Needs the bundle: `bash scripts/build_bundle.sh` (about 3 min) first."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from bench.scan.generate import render

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / "dist" / "checkpoint-app" / "checkpoint-app"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not EXE.exists(), reason="no bundle: run scripts/build_bundle.sh first")]


def _decode_from(cwd: Path, home: Path, image: Path) -> list[str]:
    """The bundle decoding one image, started from `cwd`: numba's cache lines."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "NUMBA_DEBUG_CACHE": "1"}
    out = subprocess.run([str(EXE), "decode", str(image)], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "health code: JKM1:" in out.stdout
    return [line for line in (out.stdout + out.stderr).splitlines() if line.startswith("[cache]")]


class _Touch:
    """Unpickled, creates `path` (what any planted pickle could do instead)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (os.system, (f"touch {self.path}",))


def index_names() -> set[str]:
    """numba's cache index file names for the kernels: module.function-line.pyXY.nbi."""
    from checkpoint_app.core.scanning import compiled, phase_kernels

    assert phase_kernels.warm()
    py = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return {f"phase_kernels.{d.py_func.__qualname__}-{d.py_func.__code__.co_firstlineno}.{py}.nbi"
            for d in compiled._dispatchers}


@pytest.fixture
def bent_png(tmp_path: Path) -> Path:
    path = tmp_path / "fold.png"
    cv2.imwrite(str(path), render("fold", 2, "1280x720", 3).image)
    return path


def test_a_second_start_from_another_folder_loads_the_first_starts_cache(tmp_path: Path, bent_png: Path) -> None:
    home, first, second = tmp_path / "home", tmp_path / "installer", tmp_path / "kiosk-autostart"
    for d in (home, first, second):
        d.mkdir()
    _decode_from(first, home, bent_png)  # as the selftest at installation
    lines = _decode_from(second, home, bent_png)
    assert not any("saved" in line for line in lines), "compiled again: " + "\n".join(lines[:4])


def test_a_folder_holding_the_modules_path_is_not_used_as_the_cache(tmp_path: Path, bent_png: Path) -> None:
    home, cwd = tmp_path / "home", tmp_path / "downloads"
    home.mkdir()
    planted = cwd / "checkpoint_app" / "core" / "scanning"
    planted.mkdir(parents=True)
    (planted / "phase_kernels.py").write_text("")  # any file by that name
    # numba unpickles an index's first object before it checks anything: one planted file
    # is code run in the checkpoint's process
    marker = tmp_path / "planted-code-ran"
    (planted / "__pycache__").mkdir()
    names = index_names()
    for name in names:  # numba's index file of every kernel, named as numba names them
        (planted / "__pycache__" / name).write_bytes(pickle.dumps(_Touch(marker)))
    lines = _decode_from(cwd, home, bent_png)
    assert not marker.exists(), "the bundle unpickled a file planted under the folder it was started from"
    assert not [p for p in planted.rglob("*.nb*") if p.name not in names], \
        "the bundle wrote its cache under the starting folder"
    assert not any(str(planted) in line or "'checkpoint_app/" in line for line in lines)
