"""The data folder and the store file on disk: their kind, and their permissions.

The store holds the checkpoint's bearer token and the scan records, so the folder is
made 0700 and the file (with its -wal and -shm, which SQLite creates with the file's
mode) 0600, and existing ones are tightened. A folder that holds anything besides the
store (the user named their home or /tmp as --data-dir) keeps its mode: the store file
itself is private either way."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from checkpoint_app.core.store.errors import StoreUnavailable, describe

log = logging.getLogger("checkpoint.store")
FOLDER_MODE, FILE_MODE = 0o700, 0o600
SIDE_FILES = ("-wal", "-shm")


def prepare(path: Path) -> None:
    """Make sure `path` can be opened as the store: its folder is a folder (created 0700),
    the file is a regular file (created empty, 0600); StoreUnavailable otherwise."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise StoreUnavailable(f"the data folder {folder} is not a folder")
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(describe(exc, path)) from None
    if _only_store_files(folder, path.name):
        _tighten(folder, FOLDER_MODE)
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise StoreUnavailable(f"{path} is not a regular file, so it cannot be the store")
        for p in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
            _tighten(p, FILE_MODE)
        return
    try:
        create_private(path)
    except FileExistsError:
        pass  # another process made it meanwhile
    except OSError as exc:
        raise StoreUnavailable(describe(exc, path)) from None


def create_private(path: Path) -> None:
    """A new empty file only we can read (an empty file is an empty SQLite database)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def _only_store_files(folder: Path, name: str) -> bool:
    try:
        return all(entry.startswith(name) for entry in os.listdir(folder))
    except OSError:
        return False


def _tighten(path: Path, mode: int) -> None:
    """Drop the group and other bits of a file or folder we own (no error if we cannot)."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid() or not st.st_mode & 0o077:
            return
        os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("cannot make %s private: %s", path, exc.strerror)
