"""The JsonLogic subset of spec section 4.2: var, ==, !=, <, <=, >, >=, and, or, !, in, if.

`validate` runs once when a policy is loaded, so `evaluate` can trust the shape.
Equality is strict (no JsonLogic type coercion: "1" != 1, true != 1) and any
ordering comparison involving null is false, as the spec requires."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

OPERATORS = frozenset({"var", "==", "!=", "<", "<=", ">", ">=", "and", "or", "!", "in", "if"})
MAX_DEPTH = 32


class RuleError(ValueError):
    """A condition uses something outside the subset."""


def _args(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def validate(expr: Any, facts: Collection[str], depth: int = 0) -> None:
    """Raise RuleError unless `expr` uses only the subset and reads only `facts`."""
    if depth > MAX_DEPTH:
        raise RuleError("condition nested too deeply")
    if isinstance(expr, list):
        for item in expr:
            validate(item, facts, depth + 1)
        return
    if not isinstance(expr, dict):
        if expr is None or isinstance(expr, bool | int | float | str):
            return
        raise RuleError(f"unexpected value {expr!r}")
    if len(expr) != 1:
        raise RuleError(f"an operation must have exactly one operator, got {sorted(expr)}")
    (op, value), = expr.items()
    if op not in OPERATORS:
        raise RuleError(f"operator {op!r} is not allowed")
    args = _args(value)
    if op == "var":
        if not args or not isinstance(args[0], str) or args[0] not in facts:
            raise RuleError(f"var reads an unknown fact: {value!r}")
        return
    arity = {"!": (1, 1), "in": (2, 2), "==": (2, 2), "!=": (2, 2), ">": (2, 2), ">=": (2, 2),
             "<": (2, 3), "<=": (2, 3), "and": (1, 99), "or": (1, 99), "if": (1, 99)}[op]
    if not arity[0] <= len(args) <= arity[1]:
        raise RuleError(f"{op!r} takes {arity[0]}-{arity[1]} arguments, got {len(args)}")
    for arg in args:
        validate(arg, facts, depth + 1)


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: null, false, 0, "" and [] are false."""
    if isinstance(value, list):
        return len(value) > 0
    return bool(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _ordered(a: Any, b: Any, test: Callable[[Any, Any], bool]) -> bool:
    if _number(a) and _number(b):
        return test(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return test(a, b)
    return False  # null, bools, mixed types: never ordered


def _chain(values: list[Any], test: Callable[[Any, Any], bool]) -> bool:
    return all(_ordered(values[i], values[i + 1], test) for i in range(len(values) - 1))


def _in(needle: Any, haystack: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(needle, item) for item in haystack)
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    return False


def _if(args: list[Any], facts: Mapping[str, Any]) -> Any:
    for i in range(0, len(args) - 1, 2):
        if truthy(evaluate(args[i], facts)):
            return evaluate(args[i + 1], facts)
    return evaluate(args[-1], facts) if len(args) % 2 else None


def evaluate(expr: Any, facts: Mapping[str, Any]) -> Any:
    """The value of a validated expression over `facts`."""
    if isinstance(expr, list):
        return [evaluate(item, facts) for item in expr]
    if not isinstance(expr, dict):
        return expr
    (op, value), = expr.items()
    args = _args(value)
    if op == "var":
        found = facts.get(args[0])
        return args[1] if found is None and len(args) > 1 else found
    if op == "and":
        result: Any = True
        for arg in args:
            result = evaluate(arg, facts)
            if not truthy(result):
                return result
        return result
    if op == "or":
        result = False
        for arg in args:
            result = evaluate(arg, facts)
            if truthy(result):
                return result
        return result
    if op == "if":
        return _if(args, facts)
    values = [evaluate(arg, facts) for arg in args]
    match op:
        case "!":
            return not truthy(values[0])
        case "==":
            return _equal(values[0], values[1])
        case "!=":
            return not _equal(values[0], values[1])
        case "in":
            return _in(values[0], values[1])
        case "<":
            return _chain(values, lambda a, b: a < b)
        case "<=":
            return _chain(values, lambda a, b: a <= b)
        case ">":
            return _chain(values, lambda a, b: a > b)
        case ">=":
            return _chain(values, lambda a, b: a >= b)
    raise RuleError(f"operator {op!r} is not allowed")  # unreachable after validate
