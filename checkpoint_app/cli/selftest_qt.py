"""The self-test's checks that need Qt or OpenCV: Qt plugins, fonts, translations, camera backend."""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from checkpoint_app.cli.selftest_checks import CheckFailed

_app: Any = None  # the QGuiApplication the checks made, kept alive for the whole run
_NEEDED_PLATFORMS = {"linux": ("xcb", "wayland"), "win32": ("windows",), "darwin": ("cocoa",)}


def _gui() -> Any:
    global _app
    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a check over SSH must not abort for want of a display
    _app = QGuiApplication([sys.argv[0] if sys.argv else "checkpoint-app"])
    return _app


def check_qt() -> tuple[str, str]:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo

    app = _gui()
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    found = sorted(p.name.split(".")[0].removeprefix("libq").removeprefix("q") for p in plugins.glob("*q*"))
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    needed = _NEEDED_PLATFORMS.get(platform, ())
    if needed and not any(n in found for n in needed):
        raise CheckFailed(f"no {' or '.join(needed)} platform plugin in {plugins}: the window cannot open")
    return "ok", f"PySide6 {pyside_version} on '{app.platformName()}'; platform plugins: {', '.join(found)}"


def check_fonts() -> tuple[str, str]:
    from PySide6.QtGui import QFontDatabase

    _gui()
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if not families:
        raise CheckFailed("no font with Chinese glyphs: Chinese shows as boxes "
                          "(Debian: apt-get install fonts-wqy-microhei)")
    shown = ", ".join(families[:2]) + (f" and {len(families) - 2} more" if len(families) > 2 else "")
    return "ok", f"Chinese fonts: {shown}"


def check_translations() -> tuple[str, str]:
    from PySide6.QtCore import QTranslator

    from checkpoint_app.resources import resource

    folder = resource("translations")
    files = sorted(folder.glob("*.qm"))
    if not any(f.name == "checkpoint_zh_CN.qm" for f in files):
        raise CheckFailed(f"checkpoint_zh_CN.qm missing in {folder}: the window would show English only")
    bad = [f.name for f in files if not QTranslator().load(str(f))]
    if bad:
        raise CheckFailed(f"Qt cannot load {', '.join(bad)}")
    return "ok", f"{', '.join(f.stem.removeprefix('checkpoint_') for f in files)} loaded from {folder}"


def check_camera() -> tuple[str, str]:
    import cv2
    import numpy as np

    backends = dict.fromkeys(cv2.videoio_registry.getBackendName(b) for b in cv2.videoio_registry.getBackends())
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "selftest.avi")
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), 10, (64, 48))
        for i in range(3):
            writer.write(np.full((48, 64, 3), i * 60, np.uint8))
        writer.release()
        capture = cv2.VideoCapture(path)
        frames = 0
        while capture.read()[0]:
            frames += 1
        capture.release()
    if frames != 3:
        raise CheckFailed(f"OpenCV {cv2.__version__} read {frames} of 3 frames back from a test video")
    detail = f"OpenCV {cv2.__version__}, backends {', '.join(backends)}; test video read back"
    if sys.platform.startswith("linux"):
        devices = sorted(glob.glob("/dev/video*"))
        if not devices:
            return "warn", detail + "; no camera plugged in (/dev/video*): fine with a USB or serial scanner"
        detail += f"; cameras: {', '.join(devices)}"
    return "ok", detail
