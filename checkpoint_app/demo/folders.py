"""Where --demo keeps its settings and data: a throwaway folder, fresh at every start."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from checkpoint_app.core import paths, settings

DEMO_PIN = "1234"  # the admin PIN of --demo (its settings live in a throwaway folder)


def demo_folders() -> tuple[Path, Path]:
    """A fresh data folder and settings file for --demo, beside the cached demo video."""
    base = Path(os.environ.get("CHECKPOINT_CACHE_DIR") or paths.data_dir().parent / "checkpoint-demo") / "demo"
    data = base / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    settings_path = base / "settings.json"
    # Staff outcomes stay until dismissed at a real checkpoint; an unattended demo moves on.
    settings.save(settings_path, settings.Settings(venue_id="demo-venue", admin_pin=settings.hash_pin(DEMO_PIN),
                                              camera="demo", timeout_staff_s=8.0, timeout_refused_s=5.0))
    return settings_path, data
