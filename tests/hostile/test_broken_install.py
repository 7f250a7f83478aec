"""An installation that is not whole: the demo package left out (a kiosk build may strip
it), a resource file missing (a half-applied update). A kiosk start needs neither the demo
nor the authority; --demo without the demo says so in one line; and a start that fails half
way ends the threads it had started, so the error is a traceback in the log and exit 1,
not Qt's abort on a running QThread (SIGABRT, a core dump, the reason lost).

The installed tree is copied without the part, and run with the copy first on the path and
the editable install's finder taken out (it would find the missing part in the checkout)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import checkpoint_app
from checkpoint_app.core import settings as st
from checkpoint_app.resources import resources_dir

DRIVER = """
import atexit, os, sys
if os.environ.get("PYTHONPATH"):  # the copied tree: as installed, not as an editable checkout
    sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in getattr(f, "__name__", type(f).__name__)]
def report():
    loaded = sorted(m for m in sys.modules if m.startswith(("checkpoint_app.demo", "checkpoint_app.authority",
                                                            "flask", "sqlalchemy", "waitress")))
    print("LOADED", loaded, file=sys.stderr)
    print("FROM", sys.modules["checkpoint_app"].__file__, file=sys.stderr)
atexit.register(report)
from checkpoint_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _tree_without_demo(tmp_path: Path) -> Path:
    root = tmp_path / "installed"
    shutil.copytree(Path(checkpoint_app.__file__).parent, root / "checkpoint_app",
                    ignore=shutil.ignore_patterns("__pycache__", "demo"))
    return root


def _env(tmp_path: Path, root: Path | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(tmp_path / "log"),
           "CHECKPOINT_CACHE_DIR": str(tmp_path / "cache"), "CHECKPOINT_CONFIG_DIR": str(tmp_path / "config"),
           "CHECKPOINT_DATA_DIR": str(tmp_path / "data"), "CHECKPOINT_RESOURCES": str(resources_dir()), **extra}
    if root is not None:
        env["PYTHONPATH"] = str(root)
    return env


def _kiosk_settings(tmp_path: Path) -> Path:
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", kiosk=True, admin_pin=st.hash_pin("2580"), language="en"))
    return config


def test_a_kiosk_starts_and_stops_without_the_demo_package(tmp_path: Path) -> None:
    root = _tree_without_demo(tmp_path)
    log = tmp_path / "log" / "checkpoint.log"
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, "--kiosk", "--config", str(_kiosk_settings(tmp_path))],
                            env=_env(tmp_path, root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        until = time.monotonic() + 60
        while not (log.exists() and "kiosk mode on" in log.read_text()):
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < until
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reaped, pipes closed: no warning lands on a later test
    assert proc.returncode == 0, err[-3000:]
    assert "LOADED []" in err, err[-2000:]
    assert f"FROM {root / 'checkpoint_app' / '__init__.py'}" in err  # the copy ran, not the checkout


def test_demo_without_the_demo_package_is_one_line(tmp_path: Path) -> None:
    root = _tree_without_demo(tmp_path)
    done = subprocess.run([sys.executable, "-c", DRIVER, "--demo"], env=_env(tmp_path, root), capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    lines = [line for line in done.stderr.splitlines() if not line.startswith(("LOADED", "FROM"))]
    assert done.returncode == 2, done.stderr[-3000:]
    assert lines == ["checkpoint-app: error: --demo is not part of this installation "
                     "(No module named 'checkpoint_app.demo')"]


def test_a_start_that_fails_half_way_ends_its_threads(tmp_path: Path) -> None:
    """A resource missing: the window cannot be built after the tasks thread was started."""
    resources = tmp_path / "resources"
    shutil.copytree(resources_dir(), resources)
    for icon in (resources / "icons").glob("*.svg"):
        icon.unlink()
    config = tmp_path / "site.json"
    st.save(config, st.Settings(camera="none", language="en"))
    done = subprocess.run([sys.executable, "-c", DRIVER, "--config", str(config)],
                          env=_env(tmp_path, CHECKPOINT_RESOURCES=str(resources)), capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-3000:]  # not -6: Qt's abort on a running QThread
    assert "QThread: Destroyed while thread" not in done.stderr
    assert "FileNotFoundError" in done.stderr and ".svg" in done.stderr
