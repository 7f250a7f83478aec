"""The policy document (spec 4.2): thresholds, actions and ordered rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.rules.facts import FACT_NAMES
from checkpoint_app.core.rules.jsonlogic import Compiled, RuleError, compile_condition, validate
from checkpoint_app.core.trust.documents import load_json_object, positive_int, require, uint

_WHAT = "policy"
# Spec section 6 marks these actions "pending": the visit goes on when the operator
# gives the missing input. A policy may say so of its own actions with "pending".
SPEC_PENDING = frozenset({"measure_temperature", "wear_mask"})
_NUMBER = (int, float)


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    zh: str
    en: str
    allow: bool
    pending: bool


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    condition: Any
    then: str
    test: Compiled = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Policy:
    serial: int
    version: str
    issued_at: int
    clock_skew_s: int
    max_code_age_s: int
    max_cache_age_s: int
    max_offline_s: int
    fever_threshold_c: float
    temperature_min_c: float
    temperature_max_c: float
    actions: Mapping[str, Action]
    rules: tuple[Rule, ...]

    def temperature_in_range(self, celsius: float) -> bool:
        return self.temperature_min_c <= celsius <= self.temperature_max_c


def _action(action_id: str, entry: Any) -> Action:
    if not isinstance(entry, dict):
        raise DocumentError(f"{_WHAT}: action {action_id!r} is not an object")
    pending = entry.get("pending", action_id in SPEC_PENDING)
    return Action(
        id=action_id,
        zh=require(entry, "zh", str, _WHAT),
        en=require(entry, "en", str, _WHAT),
        allow=require(entry, "allow", bool, _WHAT),
        pending=bool(pending),
    )


def _rule(entry: Any, actions: Mapping[str, Action]) -> Rule:
    if not isinstance(entry, dict) or "if" not in entry:
        raise DocumentError(f"{_WHAT}: a rule is not an object with 'if'")
    rule_id, then = require(entry, "id", str, _WHAT), require(entry, "then", str, _WHAT)
    if then not in actions:
        raise DocumentError(f"{_WHAT}: rule {rule_id!r} names unknown action {then!r}")
    try:
        validate(entry["if"], FACT_NAMES)
    except RuleError as exc:
        raise DocumentError(f"{_WHAT}: rule {rule_id!r}: {exc}") from None
    return Rule(rule_id, entry["if"], then, compile_condition(entry["if"]))


def parse_policy(payload: bytes) -> Policy:
    obj = load_json_object(payload, "policy")
    raw_actions = require(obj, "actions", dict, _WHAT)
    actions = {aid: _action(aid, entry) for aid, entry in raw_actions.items()}
    rules = tuple(_rule(entry, actions) for entry in require(obj, "rules", list, _WHAT))
    if not rules or rules[-1].condition is not True:
        raise DocumentError(f"{_WHAT}: the last rule's condition must be true")
    policy = Policy(
        serial=positive_int(obj, "serial", _WHAT),
        version=require(obj, "version", str, _WHAT),
        issued_at=uint(obj, "issued_at", _WHAT),
        clock_skew_s=uint(obj, "clock_skew_s", _WHAT),
        max_code_age_s=uint(obj, "max_code_age_s", _WHAT),
        max_cache_age_s=uint(obj, "max_cache_age_s", _WHAT),
        max_offline_s=uint(obj, "max_offline_s", _WHAT),
        fever_threshold_c=float(require(obj, "fever_threshold_c", _NUMBER, _WHAT)),
        temperature_min_c=float(require(obj, "temperature_min_c", _NUMBER, _WHAT)),
        temperature_max_c=float(require(obj, "temperature_max_c", _NUMBER, _WHAT)),
        actions=actions,
        rules=rules,
    )
    if not policy.temperature_min_c < policy.temperature_max_c:
        raise DocumentError(f"{_WHAT}: temperature_min_c is not below temperature_max_c")
    return policy
