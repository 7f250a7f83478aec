"""One decision per code in view.

A phone held to the camera yields the same code in every frame for seconds, and a shaky
hand makes it blink in and out. The stabilizer passes a code on the first frame it is
read (no waiting for confirmation: a QR's Reed-Solomon check already makes misreads
rare) and then stays quiet about it until it has been out of view for longer than
`gap_s`. A different code is passed at once, even while the first is still in view."""

from __future__ import annotations

from collections.abc import Sequence

from checkpoint_app.core.scanning.result import ReadCode


class Stabilizer:
    def __init__(self, gap_s: float = 1.5) -> None:
        if gap_s < 0:
            raise ValueError("gap_s must not be negative")
        self.gap_s = gap_s
        self._last_seen: dict[str, float] = {}

    def feed(self, codes: Sequence[ReadCode], t: float) -> list[ReadCode]:
        """The codes of one frame at time t (seconds, monotonic) -> the codes to act on now."""
        fresh: list[ReadCode] = []
        for code in codes:
            seen = self._last_seen.get(code.text)
            if (seen is None or t - seen > self.gap_s) and all(c.text != code.text for c in fresh):
                fresh.append(code)
            self._last_seen[code.text] = t
        self._expire(t)
        return fresh

    def reset(self) -> None:
        """Forget every code: the next frame's codes are all new (e.g. after the operator cancels)."""
        self._last_seen.clear()

    def in_view(self, t: float) -> list[str]:
        """Texts seen within the gap before t, oldest first."""
        return [text for text, seen in self._last_seen.items() if t - seen <= self.gap_s]

    def _expire(self, t: float) -> None:
        # Bounded memory on a 24/7 kiosk: a code out of view past the gap is new anyway.
        for text in [text for text, seen in self._last_seen.items() if t - seen > self.gap_s]:
            del self._last_seen[text]
