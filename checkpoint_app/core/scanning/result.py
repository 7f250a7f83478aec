"""The values a decoded frame produces; immutable so they can cross threads as they are."""

from __future__ import annotations

from dataclasses import dataclass

from checkpoint_app.core.codes.payload import is_health_code
from checkpoint_app.core.scanning.exposure import RegionLevels

Corners = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ReadCode:
    """One QR code read from a frame.

    Codes that are not health codes are still returned (is_health_code False) so the
    screen can say "not a health code" instead of staying silent."""

    text: str
    is_health_code: bool
    corners: Corners | None = None

    @classmethod
    def of(cls, text: str, corners: Corners | None = None) -> ReadCode:
        return cls(text, is_health_code(text), corners)


@dataclass(frozen=True)
class FrameResult:
    """codes: what was read. unread: brightness of the regions where a code probably is but
    none was read (what the exposure controller looks at)."""

    codes: tuple[ReadCode, ...]
    ms: float
    unread: tuple[RegionLevels, ...] = ()

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.codes]
