"""The window's hostile tests (test_window_*.py) drive a real CheckpointApp through the
same `make_app` fixture and Harness as tests/qt: loaded from there, not copied."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_QT = Path(__file__).resolve().parents[1] / "qt"
sys.path.insert(0, str(_QT))  # qt_harness, as tests/qt's conftest imports it
_spec = importlib.util.spec_from_file_location("qt_window_fixtures", _QT / "conftest.py")
assert _spec is not None and _spec.loader is not None
_qt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_qt)

make_app = _qt.make_app
