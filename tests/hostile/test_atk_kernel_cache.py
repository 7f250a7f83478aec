"""Hostile states of the grid readers' compiled cache (phase_kernels.py, numba), each in a
new process because the cache is per process: a disk that fills while it is written."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FRAMES = (
    "import logging, sys, time\n"
    "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(levelname)s %(message)s')\n"
    "from bench.scan.generate import render\n"
    "from checkpoint_app.core.scanning.pipeline import ScanPipeline\n"
    "s = render('fold', 2, '1280x720', 3)\n"
    "p = ScanPipeline(budget_ms=5000)\n"
    "for i in range(3):\n"
    "    t0 = time.perf_counter()\n"
    "    try:\n"
    "        r = p.decode(s.image, float(i))\n"
    "        print('frame', i, 'read', [c.text for c in r.codes] == list(s.truth), 'took', time.perf_counter() - t0)\n"
    "    except Exception as exc:\n"
    "        print('frame', i, 'failed', type(exc).__name__, 'took', time.perf_counter() - t0)\n"
)


def _small_files_only() -> None:
    # A nearly full disk: the small index files still fit, the compiled code (13-290 kB a
    # file) does not. RLIMIT_FSIZE makes the kernel refuse the write as a full disk does
    # (EFBIG instead of ENOSPC; Python ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))


@pytest.mark.slow
def test_a_disk_that_fills_while_the_cache_is_written_does_not_fail_every_frame(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", FRAMES], env={**os.environ, "PYTHONPATH": str(ROOT),
                                                                 "NUMBA_CACHE_DIR": str(tmp_path)},
                         cwd=ROOT, capture_output=True, text=True, timeout=400, preexec_fn=_small_files_only).stdout
    frames = [line.split() for line in out.splitlines() if line.startswith("frame ")]
    assert len(frames) == 3, out
    # every frame is decoded (the code is read), not failed with the cache's write error
    assert all(f[2] == "read" and f[3] == "True" for f in frames), out
    # and only the first pays for compiling: the later ones keep their budget
    assert all(float(f[-1]) < 1.0 for f in frames[1:]), out
