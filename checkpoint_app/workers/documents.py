"""The pinned distribution keys named in the window's settings."""

from __future__ import annotations

import logging
from pathlib import Path

from checkpoint_app.core.codes.signature import PublicKey, load_public_pem

log = logging.getLogger("checkpoint.store")


def read_keys(spec: str) -> list[PublicKey]:
    keys = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        try:
            keys.append(load_public_pem(Path(part).read_bytes()))
        except (OSError, ValueError):
            log.error("distribution key %s unreadable; ignored", part)
    return keys
