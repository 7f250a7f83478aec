"""What the data folder remembers for later runs and for the window (spec section 9).

`sync` keeps `server_url`, `token` and `root_keys_pem` (the PEM texts of the pinned keys,
so that a removed USB stick does not unpin them) in the store's settings. The station is
not kept here: the command line reads it from the window's settings (core.configuration)."""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm

from checkpoint_app.core.codes.signature import PublicKey, load_public_pem
from checkpoint_app.core.configuration import PlatformAccess
from checkpoint_app.core.store.errors import StoreError
from checkpoint_app.core.store.store import Store

ROOT_KEYS = "root_keys_pem"


def remembered_access(store: Store) -> PlatformAccess:
    """The server and token `sync` remembered ("" for each it did not)."""
    server, token = store.get_setting("server_url"), store.get_setting("token")
    return PlatformAccess(server if isinstance(server, str) else "", token if isinstance(token, str) else "")


def pinned_keys(store: Store) -> list[PublicKey]:
    """The keys `sync --root-key` remembered; StoreError when they are damaged."""
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
