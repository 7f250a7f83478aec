"""One visit at the checkpoint: payload + inputs → Decision. Pure; the heart of the app.

`scan` does the expensive part once per code (signature, claims, cache lookup);
`decide` is cheap and runs again whenever the guard gives an input (temperature,
mask), as the pending actions of spec section 6 require."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.rules.facts import FILE_MODE, Facts, Freshness
from checkpoint_app.core.rules.jsonlogic import truthy
from checkpoint_app.core.status import EmptyCache, FinalStatus, StatusLookup, final_status
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.core.trust.trust_list import TrustList
from checkpoint_app.core.verification import Verification, verify_code


class TemperatureOutOfRange(ValueError):
    """A reading outside the policy's range: measure again; never a fact (spec 4.2)."""

    def __init__(self, celsius: float, policy: Policy) -> None:
        super().__init__(
            f"temperature {celsius} °C is outside {policy.temperature_min_c}-{policy.temperature_max_c} °C"
        )
        self.celsius = celsius


@dataclass(frozen=True, slots=True)
class Context:
    """Everything besides the code that a decision depends on."""

    trust: TrustList
    policy: Policy
    cache: StatusLookup = field(default_factory=EmptyCache)
    freshness: Freshness = FILE_MODE
    venue_type: str = "office_building"


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the guard has recorded so far in this visit."""

    temperature_c: float | None = None
    mask: bool | None = None


class Source(StrEnum):
    """How the person was identified: the `source` of a scan event (spec 5.1)."""

    CODE = "code"  # a health code (camera, scanner, wedge)
    ID_LOOKUP = "id_lookup"  # the platform's answer to a lookup by identity document
    MANUAL = "manual"  # a guard's record of someone nothing else could check


@dataclass(frozen=True, slots=True)
class Scan:
    """A verified code, or a lookup answer made to look like one (core.lookup.decide):
    then `code` holds the answer's hid, colour and masked name, and its age is 0."""

    verification: Verification
    status: FinalStatus | None
    at: int
    source: Source = Source.CODE

    @property
    def code_age_s(self) -> int | None:
        code = self.verification.code
        if code is None:
            return None
        return 0 if self.source is Source.ID_LOOKUP else self.at - code.iat


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision: codes only (action id, error code, reasons), never sentences."""

    scan: Scan
    inputs: Inputs
    action: str
    allow: bool
    pending: bool
    rule_id: str
    policy_serial: int
    freshness: Freshness
    fever: bool | None

    @property
    def valid(self) -> bool:
        return self.scan.verification.valid

    @property
    def error(self) -> ErrorCode | None:
        return self.scan.verification.error

    @property
    def color(self) -> Color | None:
        return None if self.scan.status is None else self.scan.status.color

    @property
    def reasons(self) -> tuple[int, ...] | None:
        return None if self.scan.status is None else self.scan.status.reasons


def scan(text: str, ctx: Context, now: int) -> Scan:
    verification = verify_code(text, ctx.trust, ctx.policy, now)
    status = None
    if verification.valid and verification.code is not None:
        status = final_status(verification.code, ctx.cache.lookup(verification.code.hid))
    return Scan(verification, status, now)


def check_temperature(policy: Policy, celsius: float) -> float:
    if not policy.temperature_in_range(celsius):
        raise TemperatureOutOfRange(celsius, policy)
    return celsius


def facts_for(s: Scan, inputs: Inputs, ctx: Context) -> Facts:
    code = s.verification.code
    temp = inputs.temperature_c
    return {
        "valid": s.verification.valid,
        "error": None if s.verification.error is None else str(s.verification.error),
        "color": None if s.status is None else s.status.color.label,
        "code_color": None if code is None else code.color.label,
        "reasons": [] if s.status is None else list(s.status.reasons),
        "temperature_c": temp,
        "fever": None if temp is None else temp >= ctx.policy.fever_threshold_c,
        "mask": inputs.mask,
        "cache_stale": ctx.freshness.cache_stale,
        "offline_too_long": ctx.freshness.offline_too_long,
        "clock_error": ctx.freshness.clock_error,
        "code_age_s": s.code_age_s if s.verification.valid else None,
        "venue_type": ctx.venue_type,
    }


def decide(s: Scan, inputs: Inputs, ctx: Context) -> Decision:
    """Evaluate the policy's rules in order; the first true condition gives the action."""
    if inputs.temperature_c is not None:
        check_temperature(ctx.policy, inputs.temperature_c)
    facts = facts_for(s, inputs, ctx)
    rule = next(r for r in ctx.policy.rules if truthy(r.test(facts)))
    action = ctx.policy.actions[rule.then]
    return Decision(
        scan=s, inputs=inputs, action=action.id, allow=action.allow, pending=action.pending,
        rule_id=rule.id, policy_serial=ctx.policy.serial, freshness=ctx.freshness, fever=facts["fever"],
    )


def decision_json(d: Decision) -> dict[str, Any]:
    """The object `checkpoint-app verify --json` prints (spec section 9); for a lookup the
    same object with `doc` null and no code's kid, iat and exp (there is no code)."""
    v, code = d.scan.verification, d.scan.verification.code
    lookup = d.scan.source is Source.ID_LOOKUP
    return {
        "valid": v.valid,
        "error": None if v.error is None else str(v.error),
        "iss": code.iss if code else None,
        "kid": base64.b64encode(v.kid).decode() if v.kid else None,
        "iat": code.iat if code and not lookup else None,
        "exp": code.exp if code and not lookup else None,
        "hid": code.hid.hex() if code else None,
        "name": code.name if code else None,
        "doc": code.doc if code and not lookup else None,
        "doc_type": code.doc_type if code else None,
        "code_color": code.color.label if code else None,
        "color": d.color.label if d.color is not None else None,
        "reasons": list(d.reasons) if d.reasons is not None else None,
        "cache_entry": d.scan.status.cache_entry if d.scan.status else None,
        "cache_stale": d.freshness.cache_stale,
        "temperature_c": d.inputs.temperature_c,
        "fever": d.fever,
        "mask": d.inputs.mask,
        "action": d.action,
        "allow": d.allow,
        "pending": d.pending,
        "rule": d.rule_id,
        "policy_serial": d.policy_serial,
        "source": str(d.scan.source),
    }
