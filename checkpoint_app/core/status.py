"""The final-status rule of spec section 3 and the cache it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from checkpoint_app.core.codes.claims import Color, HealthCode


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One status-cache entry: from `effective_at` on, this colour and these reasons."""

    color: Color
    reasons: tuple[int, ...]
    effective_at: int


class StatusLookup(Protocol):
    def lookup(self, hid: bytes) -> StatusEntry | None: ...


class EmptyCache:
    """The cache of file mode: it knows nobody."""

    def lookup(self, hid: bytes) -> StatusEntry | None:
        return None


@dataclass(frozen=True, slots=True)
class FinalStatus:
    color: Color
    reasons: tuple[int, ...]
    cache_entry: bool


def final_status(code: HealthCode, entry: StatusEntry | None) -> FinalStatus:
    """The code's colour, unless the cache entry is newer; on a tie the more severe
    colour stands with its reasons (the code's when the colours are equal)."""
    if entry is None:
        return FinalStatus(code.color, code.reasons, cache_entry=False)
    if entry.effective_at > code.iat or (entry.effective_at == code.iat and entry.color > code.color):
        return FinalStatus(entry.color, entry.reasons, cache_entry=True)
    return FinalStatus(code.color, code.reasons, cache_entry=True)
