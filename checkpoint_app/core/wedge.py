"""Telling a keyboard-wedge scanner from a person typing, by timing alone.

A USB 2D scanner in keyboard-wedge mode "types" the whole QR text in a burst, a few
milliseconds per key, and ends it with Enter. A guard typing a temperature on the same
keyboard needs 80 ms or more per key. The first key of a burst looks exactly like a typed
key, so nothing can be decided when it arrives: the caller holds each key for one gap
(`max_gap_s`) and asks here what to do with the keys it holds.

The classifier sees characters and times only (Enter is ENTER); the GUI filter keeps the
key events themselves and replays or drops them as told. Each `Result` covers `count`
keys from the front of what the caller holds, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from checkpoint_app.core.codes.payload import PREFIX

ENTER = "\r"


class Outcome(Enum):
    REPLAY = "replay"  # typed by a person: deliver the held keys to where they were aimed
    SCAN = "scan"  # a complete burst ending in Enter: `text` is the scanned payload
    DISCARD = "discard"  # a burst that never ended in Enter (or ran away): deliver nothing


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    count: int  # held keys (Enter included) this result covers, from the front
    text: str = ""  # the payload, for SCAN only


def undo_caps_lock(text: str) -> str:
    """A scanner types capitals with Shift, so with Caps Lock on they arrive in lower case
    ("jkm1:nc...") and every health code would read as "not a health code". A JKM1 text has
    no lower-case letter (base45), so one that starts so is the code with its case inverted."""
    if text[:len(PREFIX)].swapcase() == PREFIX:
        return text.swapcase()
    return text


class BurstClassifier:
    """Feed every candidate key with its time; act on the results in order.

    `min_length` keeps a fast human double-tap (or a keypad's "36.5⏎" typed quickly) from
    counting as a scan: a burst needs that many characters before the Enter. `max_length`
    bounds the buffer against a stuck key auto-repeating faster than the gap.
    """

    def __init__(self, max_gap_s: float = 0.05, min_length: int = 8, max_length: int = 4400) -> None:
        if max_gap_s <= 0 or min_length < 1 or max_length < min_length:
            raise ValueError("need max_gap_s > 0 and 1 <= min_length <= max_length")
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self.max_length = max_length
        self._chars: list[str] = []
        self._last = 0.0

    @property
    def held(self) -> int:
        """Keys held back so far, waiting for a verdict."""
        return len(self._chars)

    def key(self, char: str, t: float) -> list[Result]:
        """A candidate key (one printable character, or ENTER) arrived at time `t` (seconds)."""
        results: list[Result] = []
        if self._chars and t - self._last > self.max_gap_s:
            results.append(self._finish())  # the gap ended the previous group
        self._chars.append(char)
        self._last = t
        if char == ENTER:
            results.append(self._finish_with_enter())
        elif len(self._chars) > self.max_length:
            results.append(self._finish())
        return results

    def flush(self) -> Result | None:
        """No key came for a whole gap, or a key that cannot be part of a scan arrived."""
        return self._finish() if self._chars else None

    def _finish_with_enter(self) -> Result:
        body = "".join(self._chars[:-1])
        count = len(self._chars)
        self._chars.clear()
        if len(body) >= self.min_length:
            return Result(Outcome.SCAN, count, undo_caps_lock(body))
        return Result(Outcome.REPLAY, count)

    def _finish(self) -> Result:
        count = len(self._chars)
        self._chars.clear()
        # A long fast run without Enter is a scanner (misconfigured suffix, a USB hiccup) or
        # a stuck key; replaying it would pour a QR fragment into the temperature field.
        return Result(Outcome.DISCARD if count >= self.min_length else Outcome.REPLAY, count)
