"""A configured station for the command line's `--record` (spec 7, 9): the window's settings
file with a checkpoint and a venue, where the commands look for it (or given as --config)."""

from __future__ import annotations

from pathlib import Path

from checkpoint_app.core import paths
from checkpoint_app.core import settings as st

# The checkpoint the loopback platforms register (its token's id), at an office in Taiyuan.
STATION = {"checkpoint_id": "TY-XD-0001", "venue_id": "140105-office-0001", "venue_type": "office_building"}


def configure_station(path: Path | None = None, **fields: object) -> Path:
    """Write the settings file (default: the per-user one, core.paths) naming STATION, with
    `fields` over it; returns its path."""
    path = path or paths.settings_file()
    st.save(path, st.Settings(**{**STATION, **fields}))  # type: ignore[arg-type]
    return path
