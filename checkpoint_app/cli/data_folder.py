"""What `verify`, `lookup` and `sync` read from the data folder and the configuration, and
write to the data folder: the documents of the last sync to decide with, the keys that
verify them, and decisions recorded as scan events (spec section 9)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from checkpoint_app.cli_common import UsageError
from checkpoint_app.core.checkpoint import Context, Decision
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.configuration import Configuration, NoStationError, choose_keys, load_configuration
from checkpoint_app.core.events import Station, event_from_decision
from checkpoint_app.core.store.remembered import pinned_keys
from checkpoint_app.core.store.store import Store
from checkpoint_app.core.trust.key_files import read_key_files


def add_config_argument(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: when not given here, `checkpoint-app --config FILE verify` still counts.
    p.add_argument("--config", default=argparse.SUPPRESS, metavar="FILE",
                   help="the window's settings file: station and root_keys (default: the per-user one)")


def configuration(a: argparse.Namespace) -> Configuration:
    """The window's settings as this command reads them; their problems are warned about
    on stderr (the window logs them and goes on with the defaults, as this does)."""
    config = load_configuration(getattr(a, "config", None))
    for problem in config.problems:
        sys.stderr.write(f"warning: {problem}\n")
    return config


def recording_station(a: argparse.Namespace, config: Configuration) -> Station | None:
    """The station for `--record` (None without it), checked before anything is decided:
    refused (exit 2) when the configuration names none."""
    if not a.record:
        return None
    try:
        return config.require_station()
    except NoStationError as exc:
        raise UsageError(str(exc)) from None


def distribution_keys(store: Store, given: Sequence[Path], config: Configuration) -> list[PublicKey]:
    """core.configuration.choose_keys over this command's sources."""
    return choose_keys(command_line=read_key_files(given), remembered=pinned_keys(store), configured=config.keys)


def synced_context(store: Store, now: int, root_keys: Sequence[Path], config: Configuration) -> Context:
    """The context of the last sync, verified with the chosen keys, for this site's venue
    type. The store is the context's cache: it must stay open."""
    return store.load_context(distribution_keys(store, root_keys, config), config.station.venue_type, now)


def store_context(data_dir: Path | None, root_keys: Sequence[Path], config: Configuration,
                  now: int | None = None) -> Context:
    """`verify --data-dir`. No integrity check: scripts run `verify` per code and it must
    start fast; the window and `sync` check the file when they open it."""
    store = Store.open(data_dir, check=False)
    return synced_context(store, int(time.time()) if now is None else now, root_keys, config)


def record_decisions(data_dir: Path | None, decisions: Sequence[Decision], station: Station) -> None:
    """`verify --record`: each decision to the outbox as a scan event of this station."""
    with Store.open(data_dir, check=False) as store:
        for d in decisions:
            store.record_event(event_from_decision(d, station, d.scan.at))
