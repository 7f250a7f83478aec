"""A real PostgreSQL for a test (the pgserver wheel), in a folder of its own.

Not under pytest's tmp_path: pgserver runs the server as its own user when we are root,
and another pytest run on the machine sets /tmp/pytest-of-USER back to 0700 whenever it
starts, after which initdb or pg_ctl cannot reach the data folder ("Permission denied")."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def postgres_url(pgserver: Any) -> Iterator[str]:
    """An SQLAlchemy URL (psycopg) of a fresh server, stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="checkpoint-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
