"""Pinned distribution keys read from PEM files: the one reader for the window's
`root_keys` setting and the `--root-key` of `verify` and `sync`.

A key file that cannot be used is an error that names it, never skipped: a trust
configuration with a key quietly missing verifies against fewer keys than the operator
pinned, and the first sign of it would be refused documents far from the cause."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm

from checkpoint_app.core.bounds import MAX_KEY_FILE_BYTES, os_error_text, read_bounded
from checkpoint_app.core.codes.signature import PublicKey, load_public_pem


class KeyFileError(Exception):
    """A key file that is missing, not a small regular file, or not a PEM public key of a
    supported kind. Not a ValueError: a bug's ValueError must not read as a bad file."""


def read_key_texts(paths: Iterable[Path]) -> list[str]:
    """The PEM text of each key file, each checked to be a public key (remembered as text
    by `sync`, so that a removed USB stick does not unpin the keys)."""
    texts = []
    for path in paths:
        try:
            text = read_bounded(path, MAX_KEY_FILE_BYTES).decode("ascii")
            load_public_pem(text.encode())
        except (OSError, ValueError, UnsupportedAlgorithm) as exc:
            reason = os_error_text(exc) if isinstance(exc, OSError) else exc
            raise KeyFileError(f"root key {path} is not a readable PEM public key: {reason}") from None
        texts.append(text)
    return texts


def read_key_files(paths: Iterable[Path]) -> list[PublicKey]:
    return [load_public_pem(t.encode()) for t in read_key_texts(paths)]


def key_paths(setting: str) -> list[Path]:
    """The files of the settings' `root_keys`: paths separated by ';', blanks ignored."""
    return [Path(p) for p in (part.strip() for part in setting.split(";")) if p]
