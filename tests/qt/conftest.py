"""The window tests: `make_app` (tests/support/qt_harness.py), a real X server for the x11
tests, and the offscreen platform's one harmless notice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.qt_harness import make_app
from tests.support.x11 import X11

__all__ = ["make_app"]  # a fixture, found here by pytest

# The offscreen platform has no window manager to pass a dialog's size hints to, and says
# so once per dialog; under xcb (the Xvfb test) the message does not exist.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in ("test_admin_flows.py", "test_visit_flows.py", "test_texts.py", "test_workers.py"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOTICE))


@pytest.fixture
def x11() -> Iterator[X11]:
    """A real X server and window manager (tests/support/x11.py) for one test."""
    server = X11()
    yield server
    server.close()
