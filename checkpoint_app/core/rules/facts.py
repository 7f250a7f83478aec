"""The facts a policy condition may read (spec 4.2)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

VENUE_TYPES = (
    "government", "enterprise", "factory", "office_building", "hospital", "residential", "village",
    "railway_station", "bus_station", "airport", "mall", "supermarket", "hotel", "restaurant",
    "park", "scenic_spot", "public_transport",
)


@dataclass(frozen=True, slots=True)
class Facts:
    valid: bool
    error: str | None = None
    color: str | None = None
    code_color: str | None = None
    reasons: tuple[int, ...] = ()
    temperature_c: float | None = None
    fever: bool | None = None
    mask: bool | None = None
    cache_stale: bool = False
    offline_too_long: bool = False
    clock_error: bool = False
    code_age_s: int | None = None
    venue_type: str = "office_building"

    def as_mapping(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies, and this runs for every decision.
        facts = {name: getattr(self, name) for name in FACT_NAMES}
        facts["reasons"] = list(self.reasons)
        return facts


FACT_NAMES = tuple(f.name for f in fields(Facts))


@dataclass(frozen=True, slots=True)
class Freshness:
    """How far the synced data can be trusted now; all false in file mode (spec 4.2)."""

    cache_stale: bool = False
    offline_too_long: bool = False
    clock_error: bool = False


FILE_MODE = Freshness()
