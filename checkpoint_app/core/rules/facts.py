"""The facts a policy condition may read (spec 4.2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

VENUE_TYPES = (
    "government", "enterprise", "factory", "office_building", "hospital", "residential", "village",
    "railway_station", "bus_station", "airport", "mall", "supermarket", "hotel", "restaurant",
    "park", "scenic_spot", "public_transport",
)


class Facts(TypedDict):
    """What a policy condition reads. A plain dict at run time: built for every decision,
    read by the compiled rules, and never copied."""

    valid: bool
    error: str | None
    color: str | None
    code_color: str | None
    reasons: list[int]
    temperature_c: float | None
    fever: bool | None
    mask: bool | None
    cache_stale: bool
    offline_too_long: bool
    clock_error: bool
    code_age_s: int | None
    venue_type: str


FACT_NAMES = tuple(Facts.__annotations__)


@dataclass(frozen=True, slots=True)
class Freshness:
    """How far the synced data can be trusted now; all false in file mode (spec 4.2)."""

    cache_stale: bool = False
    offline_too_long: bool = False
    clock_error: bool = False
    # No signed platform time at all: the checkpoint never synced. Not a fact a policy reads
    # (spec 4.2 has none; the two above are true then, which decides): it tells the guard
    # that the first sync is missing, where "data too old" would send them looking for a fault.
    never_synced: bool = False


FILE_MODE = Freshness()


class FreshnessLevel(StrEnum):
    """What the status bar says of the data the checkpoint decides with."""

    FRESH = "fresh"
    STALE = "stale"  # cache_stale (spec 4.2): a warning
    TOO_OLD = "too_old"  # offline_too_long: the documents may be too old to decide on
    FILE = "file"  # deciding with the bundled documents (demo, tests), in file mode
    NEVER = "never"  # never synced


def freshness_level(f: Freshness, *, synced: bool, file_mode: bool) -> FreshnessLevel:
    if file_mode:
        return FreshnessLevel.FILE
    if not synced:
        return FreshnessLevel.NEVER
    if f.offline_too_long:
        return FreshnessLevel.TOO_OLD
    return FreshnessLevel.STALE if f.cache_stale else FreshnessLevel.FRESH
