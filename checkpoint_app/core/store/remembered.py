"""What `checkpoint-app verify --data-dir` and `sync` need from the store.

Settings kept in the store (data folder) so that the command line and the window share
them (spec section 9): `server_url`, `token`, `root_keys_pem` (a list of PEM texts, so a
removed USB stick does not unpin the keys), and the station: `checkpoint_id`,
`venue_id`, `venue_type`, `operator`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm

from checkpoint_app.core.bounds import MAX_KEY_FILE_BYTES, os_error_text, read_bounded
from checkpoint_app.core.checkpoint import Context, Decision
from checkpoint_app.core.codes.signature import PublicKey, load_public_pem
from checkpoint_app.core.events import Station, event_from_decision
from checkpoint_app.core.store.errors import StoreError
from checkpoint_app.core.store.store import Store

ROOT_KEYS = "root_keys_pem"
DEFAULT_VENUE_TYPE = "office_building"


def read_pem_keys(paths: Iterable[Path]) -> list[str]:
    """The PEM texts of key files, checked; StoreError names the bad file."""
    texts = []
    for path in paths:
        try:
            text = read_bounded(path, MAX_KEY_FILE_BYTES).decode("ascii")
            load_public_pem(text.encode())
        except (OSError, ValueError, UnsupportedAlgorithm) as exc:
            reason = os_error_text(exc) if isinstance(exc, OSError) else exc
            raise StoreError(f"root key {path} is not a readable PEM public key: {reason}") from None
        texts.append(text)
    return texts


def pinned_keys(store: Store, override: Sequence[Path] = ()) -> list[PublicKey]:
    """Keys given now (as files), else those remembered in the store."""
    if override:
        return [load_public_pem(t.encode()) for t in read_pem_keys(override)]
    texts = store.get_setting(ROOT_KEYS, [])
    try:
        if not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
            raise ValueError("not a list of PEM texts")
        return [load_public_pem(t.encode()) for t in texts]
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise StoreError(f"the distribution keys pinned in the store are damaged ({_first_line(exc)}); "
                         "pin them again with sync --root-key PEM") from None


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def station(store: Store) -> Station:
    return Station(
        checkpoint_id=str(store.get_setting("checkpoint_id", "")),
        venue_id=str(store.get_setting("venue_id", "")),
        venue_type=str(store.get_setting("venue_type", DEFAULT_VENUE_TYPE)),
        operator=str(store.get_setting("operator", "")),
    )


def store_context(data_dir: Path | None, root_keys: Sequence[Path], now: int | None = None) -> Context:
    """The context of the last sync. The store stays open: it is the context's cache.

    No integrity check here: `verify` is run per code by scripts and must start fast; the
    window and `sync` check the file when they open it."""
    store = Store.open(data_dir, check=False)
    keys = pinned_keys(store, root_keys)
    return store.load_context(keys, station(store).venue_type, int(time.time()) if now is None else now)


def record_decisions(data_dir: Path | None, decisions: Sequence[Decision]) -> None:
    """Write each decision to the outbox as a scan event (`verify --record`)."""
    with Store.open(data_dir, check=False) as store:
        st = station(store)
        for d in decisions:
            store.record_event(event_from_decision(d, st, d.scan.at))
