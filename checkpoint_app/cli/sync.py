"""checkpoint-app sync (spec section 9): `--once` from the platform, `--from DIR` from a folder."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkpoint_app.cli.data_folder import add_config_argument
from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM, UsageError, read_secret
from checkpoint_app.core.bounds import DEFAULT_DEADLINE_S

if TYPE_CHECKING:
    from checkpoint_app.core.configuration import Configuration


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="sync the trust list, policy and status cache; upload the scan outbox")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="sync with the platform once and exit")
    mode.add_argument("--from", dest="folder", type=Path, metavar="DIR",
                      help="apply the signed documents exported to a folder (no network needed)")
    p.add_argument("--server", metavar="URL", help="platform base URL (remembered in the data folder)")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--token", help="this checkpoint's bearer token (remembered; shows in the process list)")
    secret.add_argument("--token-file", metavar="FILE",
                        help="read the token from FILE, '-' for standard input (remembered)")
    p.add_argument("--root-key", type=Path, action="append", default=[], metavar="PEM",
                   help="pinned distribution public key; may repeat (remembered); default: those remembered, "
                        "else the settings' root_keys")
    # SUPPRESS: when not given here, `checkpoint-app --data-dir DIR sync` still counts.
    p.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                   help="data folder (default: the per-user data folder)")
    add_config_argument(p)
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_DEADLINE_S, metavar="S",
                   help="whole deadline of each request: connect and the whole answer (default 60)")
    p.set_defaults(handler=run)


def _remember(store: Any, a: argparse.Namespace) -> None:
    from checkpoint_app.core.store.remembered import ROOT_KEYS
    from checkpoint_app.core.trust.key_files import read_key_texts

    # Everything is read and checked before anything is remembered.
    token = read_secret(a.token_file, "token") if a.token_file else a.token
    if token is not None and not _is_token(token):
        raise UsageError("the token is empty or holds spaces or control characters")
    if a.server and not a.server.startswith(("http://", "https://")):
        raise UsageError(f"--server {a.server!r} is not an http(s) URL")
    keys = read_key_texts(a.root_key) if a.root_key else None
    if keys:
        store.set_setting(ROOT_KEYS, keys)
    if a.server:
        store.set_setting("server_url", a.server)
    if token is not None:
        store.set_setting("token", token)


def _is_token(text: str) -> bool:
    """What may follow "Bearer " in a header: visible ASCII, no spaces."""
    return bool(text) and all(33 <= ord(c) <= 126 for c in text)


def _sync(store: Any, a: argparse.Namespace, keys: list[Any], config: Configuration) -> Any:
    from checkpoint_app.core.configuration import choose_platform
    from checkpoint_app.core.store.remembered import remembered_access
    from checkpoint_app.core.sync.client import sync_once
    from checkpoint_app.core.sync.folder import apply_folder

    if a.folder is not None:
        return apply_folder(store, a.folder, keys)
    # What this command line gave is remembered by now (_remember): the same rule as the window's.
    chosen = choose_platform(remembered=remembered_access(store), configured=config.platform())
    if not chosen.server_url or not chosen.token:
        raise UsageError("no platform configured: give --server URL and --token-file FILE once, or set server_url "
                         f"and token in {config.path}")
    return sync_once(store, chosen.server_url, chosen.token, keys, deadline_s=a.timeout,
                     checkpoint_id=config.checkpoint_id())


def run(a: argparse.Namespace) -> int:
    from checkpoint_app.cli.data_folder import configuration, distribution_keys
    from checkpoint_app.core.store import Store, StoreError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = configuration(a)
    try:
        with Store.open(a.data_dir) as store:
            if store.recovered_from is not None:
                sys.stderr.write(f"warning: the store was damaged; moved to {store.recovered_from}\n")
            _remember(store, a)
            keys = distribution_keys(store, (), config)  # those given now were just remembered
            if not keys:
                raise UsageError(f"no distribution key pinned: give --root-key PEM once, or set root_keys in "
                                 f"{config.path}")
            report = _sync(store, a, keys, config)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if report.ok:
        sys.stdout.write(f"sync ok: {report.summary()}\n")
        return EXIT_OK
    sys.stdout.write(f"sync incomplete: {report.summary()}\n")
    sys.stderr.write(f"checkpoint-app sync: error: {report.error}: {report.detail}\n")
    return EXIT_PROBLEM
