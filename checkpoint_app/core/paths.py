"""Per-user folders (platformdirs) shared by the window and the command line.

A script and the window on one machine must find the same store (spec section 9), so
both ask here; CHECKPOINT_DATA_DIR moves the data folder for tests and portable installs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "checkpoint"
STORE_FILE = "checkpoint.sqlite3"


def data_dir() -> Path:
    if env := os.environ.get("CHECKPOINT_DATA_DIR"):
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    if env := os.environ.get("CHECKPOINT_CONFIG_DIR"):
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_file(config: str | Path | None = None) -> Path:
    """The settings file: `--config FILE` when given, else settings.json in the per-user folder."""
    return Path(config) if config else config_dir() / "settings.json"


def log_dir() -> Path:
    if env := os.environ.get("CHECKPOINT_LOG_DIR"):
        return Path(env)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def store_path(folder: Path | str | None = None) -> Path:
    """The store file, STORE_FILE in the data folder. The folder is always a folder: a
    file given as the data folder is refused when the store opens, never taken for the
    store (it would be moved aside as a damaged store)."""
    return (data_dir() if folder is None else Path(folder)) / STORE_FILE
