"""How each outcome looks and sounds: colour, text colour, icon and sound. The colour is
never the only signal: every outcome also has its own icon, headline and sound."""

from __future__ import annotations

from dataclasses import dataclass

from checkpoint_app.core.outcomes import Outcome


@dataclass(frozen=True, slots=True)
class Look:
    background: str
    foreground: str
    icon: str  # resources/icons/<icon>.svg
    sound: str  # resources/sounds/<sound>.wav


WHITE, INK = "#ffffff", "#1a1a1a"
LOOKS = {
    Outcome.PASS: Look("#1b7f3b", WHITE, "pass", "pass"),
    Outcome.PENDING: Look("#1b7f3b", WHITE, "pending", "prompt"),
    Outcome.YELLOW: Look("#f5c400", INK, "yellow", "attention"),
    Outcome.RED_HOSPITAL: Look("#c62828", WHITE, "red_hospital", "alarm"),
    Outcome.RED_TURN_BACK: Look("#c62828", WHITE, "red_turn_back", "alarm"),
    Outcome.FEVER: Look("#d84315", WHITE, "fever", "alarm"),
    Outcome.INVALID: Look("#37474f", WHITE, "invalid", "invalid"),
    Outcome.CANNOT_VERIFY: Look("#3949ab", WHITE, "cannot_verify", "cannot_verify"),
    Outcome.REFUSED: Look("#c62828", WHITE, "refused", "alarm"),
    Outcome.MANUAL: Look("#00695c", WHITE, "manual", "pass"),
    Outcome.NOT_A_CODE: Look("#455a64", WHITE, "pending", "prompt"),
}
OUT_OF_SERVICE = Look("#212121", WHITE, "cannot_verify", "invalid")
WARN, BAD, OK = "#f5c400", "#c62828", "#2e7d32"
