"""Every colour of the window, and how each outcome looks and sounds: colour, text colour,
icon and sound. The colour is never the only signal: every outcome also has its own
icon, its word (红码 / 发热 ...) and sound; fever orange and red-code red differ in all three."""

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
GREEN, YELLOW, RED = "#1b7f3b", "#f5c400", "#c62828"
FEVER_ORANGE = "#e65100"
INVALID_RED = "#8e1537"  # the red family (a refusal), darker and bluer than a red code
INDIGO = "#303f9f"  # cannot verify: neither a colour code nor a refusal of the person
NEUTRAL = "#455a64"  # not a health code: nothing decided
DEMO_PURPLE = "#6a1b9a"
OUT_OF_SERVICE_GREY = "#212121"
LOOKS = {
    Outcome.PASS: Look(GREEN, WHITE, "pass", "pass"),
    Outcome.PENDING: Look(GREEN, WHITE, "pending", "prompt"),
    Outcome.YELLOW: Look(YELLOW, INK, "yellow", "attention"),
    Outcome.RED_HOSPITAL: Look(RED, WHITE, "red_hospital", "alarm"),
    Outcome.RED_TURN_BACK: Look(RED, WHITE, "red_turn_back", "alarm"),
    Outcome.FEVER: Look(FEVER_ORANGE, WHITE, "fever", "alarm"),
    Outcome.INVALID: Look(INVALID_RED, WHITE, "invalid", "invalid"),
    Outcome.CANNOT_VERIFY: Look(INDIGO, WHITE, "cannot_verify", "cannot_verify"),
    Outcome.REFUSED: Look(RED, WHITE, "refused", "alarm"),
    Outcome.MANUAL: Look(GREEN, WHITE, "manual", "pass"),
    Outcome.NOT_A_CODE: Look(NEUTRAL, WHITE, "qr", "prompt"),
}
OUT_OF_SERVICE = Look(OUT_OF_SERVICE_GREY, WHITE, "cannot_verify", "invalid")
WARN, BAD, OK = YELLOW, RED, "#2e7d32"
VISITOR_BLUE = "#1565c0"  # the visitor display while it waits for a code: calm, not a colour code
CHIP_NEUTRAL = "#cfd8dc"  # a deliberate setting (sound off, no camera at a scanner-only site): no alarm colour
ID_CHECK = YELLOW  # the frame around the name and document the guard compares with the ID
ERROR_TEXT = RED  # "measure again" and other input errors on a light background
CHART_BAR, CHART_BACKGROUND = GREEN, WHITE
CHOSEN = GREEN  # the manual entry's chosen reason
ICON_INK = "#fff"  # what resources/icons/*.svg are drawn in; icons.py swaps it for the screen's colour
VIEWFINDER = "#000000"  # the camera picture's letterbox, and the screen before the first frame
