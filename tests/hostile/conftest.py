"""The window's hostile tests (test_window_*.py) drive a real CheckpointApp through the
same `make_app` fixture and Harness as tests/qt."""

from __future__ import annotations

from tests.support.qt_harness import make_app

__all__ = ["make_app"]  # a fixture, found here by pytest
