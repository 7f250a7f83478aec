"""Every colour of the window is named once, in gui/style.py: no colour literal anywhere else
in the Qt code (a hex value, or a Qt.GlobalColor other than transparent)."""

from __future__ import annotations

import re
from pathlib import Path

import checkpoint_app

PACKAGE = Path(checkpoint_app.__file__).parent
QT_CODE = ("gui", "workers", "hardware")
COLOUR = re.compile(r"""["']#[0-9a-fA-F]{3,8}["']|GlobalColor\.(?!transparent)\w+|QColor\(\s*\d""")


def test_colours_are_named_only_in_gui_style() -> None:
    found = [f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for folder in QT_CODE for path in sorted((PACKAGE / folder).rglob("*.py"))
             if path != PACKAGE / "gui" / "style.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if COLOUR.search(line)]
    assert found == []
