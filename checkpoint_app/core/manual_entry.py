"""What the guard types: the keypad's temperature and the record of someone without a code.

A manual entry is decided like a code's temperature check: a reading is required, one
outside the policy's range is "measure again" (nothing recorded), and a fever keeps the
person out (recorded as `fever_referral`, not allowed) -- the gate never opens for it."""

from __future__ import annotations

from checkpoint_app.core.checkpoint import check_temperature
from checkpoint_app.core.events import ScanEvent, Station, manual_event
from checkpoint_app.core.trust.policy import Policy

FEVER_ACTION = "fever_referral"
_KEYPAD = frozenset("0123456789.")


def parse_keyed_temperature(keys: str) -> float | None:
    """The guard's keypad entry in °C. Three digits without a point mean tenths, so a
    pass takes four key presses: "365" + Enter is 36.5 °C. None when it is not a reading."""
    keys = keys.strip()
    # Keypad characters only: float() would also take "3_6.5", "nan", "1e2" and "٣٦٫٥".
    if not keys or keys.count(".") > 1 or not set(keys) <= _KEYPAD:
        return None
    try:
        if "." in keys:
            return float(keys)
        if len(keys) == 3:
            return int(keys) / 10
        if len(keys) == 2:
            return float(keys)
    except ValueError:
        return None
    return None


def manual_entry_event(station: Station, policy: Policy, reason: str, temperature_c: float, now: int) -> ScanEvent:
    """The record of someone without a code. A temperature outside the policy's range raises
    TemperatureOutOfRange (measure again); a fever is recorded as a fever referral, not allowed."""
    check_temperature(policy, temperature_c)
    fever = temperature_c >= policy.fever_threshold_c
    return manual_event(station, now, reason, temperature_c=temperature_c, allow=not fever,
                        action=FEVER_ACTION if fever else "manual_entry", policy_serial=policy.serial)
