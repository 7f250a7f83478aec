"""The window's configuration as the command line reads it (spec section 9): the station that
decides (its venue type) and signs the recorded events, and the pinned keys of `root_keys`.

One settings file for both, found by the same rule (`--config FILE`, else settings.json in the
per-user folder, core.paths), read the same way (a bad value falls back to its default), so
that `verify --record` on a hospital's entrance PC decides and records as its window does.

The distribution keys have one rule, `choose_keys`, for the window and every command; the
platform's address and token its sibling, `choose_platform`, in the same order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checkpoint_app.core import paths
from checkpoint_app.core import settings as settings_mod
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.events import Station, station_from
from checkpoint_app.core.settings import Settings
from checkpoint_app.core.trust.key_files import KeyFileError, key_paths, read_key_files

# The schema's defaults name no real station: a settings file the window wrote at its first
# start holds them until someone sets the checkpoint up.
PLACEHOLDER = Settings()


class NoStationError(Exception):
    """`--record` where the configuration names no station: a configuration error (exit 2)."""


@dataclass(frozen=True, slots=True)
class Configuration:
    path: Path
    settings: Settings = field(default_factory=Settings)
    problems: tuple[str, ...] = ()  # why the file or a value of it was not used (the defaults stand)

    @property
    def station(self) -> Station:
        """The window's own rule (core.events.station_from), from the same settings."""
        return station_from(lambda name: getattr(self.settings, name))

    def names_station(self) -> bool:
        """Whether a checkpoint and a venue were set here, rather than left at the placeholders."""
        s = self.settings
        return s.checkpoint_id not in ("", PLACEHOLDER.checkpoint_id) and s.venue_id not in ("", PLACEHOLDER.venue_id)

    def require_station(self) -> Station:
        """The station to record with; NoStationError when none is configured: an event without
        its venue is counted under the holder's home region, not this site's (authority
        scans.py), and cannot be corrected once uploaded."""
        if not self.names_station():
            raise NoStationError(
                f"no station configured in {self.path}: set checkpoint_id and venue_id (and venue_type) there, "
                "as the window's settings do, or give --config FILE; nothing was recorded")
        return self.station

    def checkpoint_id(self) -> str | None:
        """The id for the upload body (spec 5); None when it is unset or the placeholder: then
        the token's own, since the platform refuses a batch whose id is not the token's."""
        cid = self.settings.checkpoint_id
        return cid if cid and cid != PLACEHOLDER.checkpoint_id else None

    def platform(self) -> PlatformAccess:
        """The settings' server and token (the last in `choose_platform`'s order)."""
        return PlatformAccess(self.settings.server_url, self.settings.token)

    def keys(self) -> list[PublicKey]:
        """The `root_keys` files' keys; KeyFileError naming the file and this setting."""
        return configured_keys(self.settings, self.path)


def load_configuration(config: str | Path | None) -> Configuration:
    """The settings file the window would read with this `--config` (None: the per-user one).
    A missing file is the defaults; an unusable one too, with the reason in `problems`."""
    path = paths.settings_file(config)
    settings, broken, problems = settings_mod.load_checked(path)
    if broken is not None:
        problems = [f"settings file {path} unusable ({broken}); using the defaults"]
    else:
        problems = [f"settings {path}: {p}" for p in problems]
    return Configuration(path, settings, tuple(problems))


def configured_keys(settings: Settings, path: Path) -> list[PublicKey]:
    try:
        return read_key_files(key_paths(settings.root_keys))
    except KeyFileError as exc:
        raise KeyFileError(f"{exc} (setting root_keys in {path})") from None


@dataclass(frozen=True, slots=True)
class PlatformAccess:
    """A platform's base URL and this checkpoint's bearer token for it ("" where not given)."""

    server_url: str = ""
    token: str = ""


def choose_platform(*, command_line: PlatformAccess = PlatformAccess(), remembered: PlatformAccess = PlatformAccess(),
                    configured: PlatformAccess = PlatformAccess()) -> PlatformAccess:
    """Where to sync and with which token, in `choose_keys`' order: the command line, else what
    the data folder remembers (the last `sync --server/--token`), else the settings'. The server
    is the first one named; the token the first given with that server or with none, so that a
    token is never sent to a server other than the one it came with (a settings file naming
    another platform lends it no token)."""
    sources = (command_line, remembered, configured)
    server = next((s.server_url for s in sources if s.server_url), "")
    token = next((s.token for s in sources if s.token and s.server_url in ("", server)), "")
    return PlatformAccess(server, token)


def choose_keys(*, command_line: Sequence[PublicKey] = (), remembered: Sequence[PublicKey] = (),
                configured: Callable[[], Sequence[PublicKey]] = tuple) -> list[PublicKey]:
    """The pinned distribution keys: those given on the command line, else those a `sync
    --root-key` remembered in the data folder (they verified the documents it holds), else
    those of the settings' `root_keys` (read only when they are the ones used). Never the
    bundled demo key: its private half ships with the program, so a real checkpoint that
    trusted it would pass whatever anyone signs with it; only the demo pins it, as configured."""
    for keys in (command_line, remembered):
        if keys:
            return list(keys)
    return list(configured())
