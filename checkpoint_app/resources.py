"""Where the bundled resources (policy, demo data, sounds, translations) are."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """resources/ beside the package (source checkout or editable install), inside a
    PyInstaller bundle, or where CHECKPOINT_RESOURCES points."""
    if env := os.environ.get("CHECKPOINT_RESOURCES"):
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
