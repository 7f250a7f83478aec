"""Scan events (spec sections 5 and 7): what is recorded and uploaded for each decision.

Only the pseudonym `hid` identifies the person; the masked name and document number
of the code never enter an event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from checkpoint_app.core.checkpoint import Decision, Source

# Why an event was recorded. "decision": a final decision was shown; "abandoned": the
# screen reset while the visit waited at a prompt; "manual": a guard let in someone
# without a code (no smartphone), with `manual_reason`. Sent as an extension field.
KINDS = ("decision", "abandoned", "manual")
# How the person was identified (spec 5.1): a code, a lookup by identity document, or a guard.
SOURCES = tuple(str(s) for s in Source)
# Spec 5: the platform accepts an event whose `ts` lies in [TS_MIN, TS_MAX).
TS_MIN, TS_MAX = 1_577_836_800, 4_102_444_800  # 2020-01-01 and 2100-01-01, 00:00 UTC
MANUAL_REASONS = ("no_smartphone", "elderly", "child", "phone_dead", "foreign_visitor", "other")


@dataclass(frozen=True, slots=True)
class Station:
    """Who records: the checkpoint's identity from its settings (spec section 8)."""

    checkpoint_id: str
    venue_id: str
    venue_type: str
    operator: str = ""


UNNAMED_STATION = Station(checkpoint_id="", venue_id="", venue_type="office_building")


def station_from(setting: Callable[[str], object]) -> Station:
    """The one way from settings to a Station: `setting(name)` is a setting's value, None
    when it is not set (then the field of UNNAMED_STATION). The window reads its settings
    file; the command line what the data folder keeps."""
    values = {f.name: setting(f.name) for f in fields(Station)}
    return Station(**{k: getattr(UNNAMED_STATION, k) if v is None else str(v) for k, v in values.items()})


@dataclass(frozen=True, slots=True)
class ScanEvent:
    event_id: str
    ts: int
    venue_id: str
    venue_type: str
    hid: str | None
    iss: str | None
    code_color: str | None
    color: str | None
    reasons: tuple[int, ...]
    temperature_c: float | None
    mask: bool | None
    action: str
    allow: bool
    error: str | None
    policy_serial: int | None
    operator: str
    kind: str = "decision"
    manual_reason: str | None = None
    source: str = Source.CODE.value
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object of the upload body (spec section 5)."""
        wire: dict[str, Any] = asdict(self)
        wire["reasons"] = list(self.reasons)
        extra: dict[str, Any] = wire.pop("extra")
        return {**wire, **extra}


def new_event_id() -> str:
    return str(uuid.uuid4())


def event_from_decision(d: Decision, station: Station, ts: int, *, kind: str = "decision",
                        event_id: str | None = None) -> ScanEvent:
    code = d.scan.verification.code
    return ScanEvent(
        event_id=event_id or new_event_id(),
        ts=ts,
        venue_id=station.venue_id,
        venue_type=station.venue_type,
        hid=code.hid.hex() if code else None,
        iss=code.iss if code else None,
        code_color=code.color.label if code else None,
        color=d.color.label if d.color is not None else None,
        reasons=d.reasons or (),
        temperature_c=d.inputs.temperature_c,
        mask=d.inputs.mask,
        action=d.action,
        allow=d.allow if kind == "decision" else False,
        error=str(d.error) if d.error else None,
        policy_serial=d.policy_serial,
        operator=station.operator,
        kind=kind,
        source=d.scan.source.value,
    )


def manual_event(station: Station, ts: int, reason: str, *, temperature_c: float | None = None,
                 mask: bool | None = None, allow: bool = True, action: str = "manual_entry",
                 policy_serial: int | None = None) -> ScanEvent:
    if reason not in MANUAL_REASONS:
        raise ValueError(f"unknown manual-entry reason {reason!r}")
    return ScanEvent(
        event_id=new_event_id(), ts=ts, venue_id=station.venue_id, venue_type=station.venue_type,
        hid=None, iss=None, code_color=None, color=None, reasons=(), temperature_c=temperature_c,
        mask=mask, action=action, allow=allow, error=None, policy_serial=policy_serial,
        operator=station.operator, kind="manual", manual_reason=reason, source=Source.MANUAL.value,
    )
