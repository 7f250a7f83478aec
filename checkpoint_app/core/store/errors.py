"""Store failures, classified so that callers can show a calm message (STYLE rule 7)."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path


class StoreError(ValueError):
    """The store cannot do what was asked (missing document, newer schema, bad setting).

    A ValueError: like a bad setting it is a configuration problem, and callers that
    fall back on ValueError (the window's file mode) handle it with no new clause."""


class NotSyncedError(StoreError):
    """The store holds no verified trust list or policy yet: sync first."""


class StoreUnavailable(StoreError):
    """The store's file or folder cannot be used as it is (locked, disk full, read-only,
    not a folder, not a database, damaged): the store was left untouched."""


def describe(exc: sqlite3.Error | OSError, path: Path | None = None) -> str:
    """One line for an SQLite or file-system failure of the store, saying what to do."""
    where = f"the store {path}" if path is not None else "the store"
    name = getattr(exc, "sqlite_errorname", "") or ""
    folder = path.parent if path is not None else None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (f"{where} is locked by another process (a sync or the window) and stayed locked; "
                "try again when it is done")
    if name == "SQLITE_NOTADB":
        return f"{where} is not an SQLite database; move it away or give another --data-dir"
    if name.startswith("SQLITE_CORRUPT"):
        return (f"{where} is damaged ({exc}); `checkpoint-app sync --once` or the window checks it, "
                "moves it aside and keeps what can still be read")
    if name == "SQLITE_FULL" or getattr(exc, "errno", None) == errno.ENOSPC or _no_space(folder):
        return f"{where}: the disk is full; free some space (nothing was changed)"
    if name.startswith("SQLITE_READONLY") or getattr(exc, "errno", None) == errno.EROFS or _read_only(folder):
        return f"{where}: its folder is read-only; the store needs a writable data folder (nothing was changed)"
    if isinstance(exc, OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{where} cannot be used: {exc}"


def _no_space(folder: Path | None) -> bool:
    try:
        return folder is not None and os.statvfs(folder).f_bavail == 0
    except OSError:
        return False


def _read_only(folder: Path | None) -> bool:
    try:
        return folder is not None and (bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
                                       or not os.access(folder, os.W_OK))
    except OSError:
        return False
