"""The guard's guide links every picture of the window in docs/images (both languages, the
two-screen ones too: every picture no other doc shows), and every picture it links exists."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "guard-guide.md"


def _linked(doc: Path = GUIDE) -> set[str]:
    return set(re.findall(r"\]\((images/[^)\s]+\.png)\)", doc.read_text(encoding="utf-8")))


def test_every_linked_picture_exists() -> None:
    missing = sorted(link for link in _linked() if not (DOCS / link).is_file())
    assert not missing, missing


def test_every_window_picture_is_linked_in_both_languages() -> None:
    elsewhere = set().union(*(_linked(doc) for doc in DOCS.glob("*.md") if doc != GUIDE))  # the dashboard's, ...
    window = {f"images/{p.name}" for p in (DOCS / "images").glob("*.png")} - elsewhere
    assert not sorted(window - _linked())
    for screen in ("refused", "two-screens-red", "two-screens-scan"):
        assert {lang for lang in ("zh", "en") for link in _linked() if link.startswith(f"images/{screen}-")
                and link.endswith(f"-{lang}.png")} == {"zh", "en"}, screen
