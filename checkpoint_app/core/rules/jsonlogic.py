"""The JsonLogic subset of spec section 4.2: var, ==, !=, <, <=, >, >=, and, or, !, in, if.

`validate` and `compile_condition` run once when a policy is loaded.
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
    if type(value) is list:
        return len(value) > 0
    return bool(value)


# Exact types, not isinstance: facts are plain JSON values, and bool (a subclass of int)
# must not count as a number. This runs for every rule of every decision.
_NUMERIC = frozenset({int, float})


def _number(value: Any) -> bool:
    return type(value) in _NUMERIC


def _equal(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is tb:
        return bool(a == b)
    return ta in _NUMERIC and tb in _NUMERIC and bool(a == b)


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


Compiled = Callable[[Mapping[str, Any]], Any]


def compile_condition(expr: Any) -> Compiled:
    """Turn a validated expression into a closure over the facts: a policy is compiled
    once when loaded, and each decision is then a few plain Python calls."""
    if isinstance(expr, list):
        items = [compile_condition(item) for item in expr]
        return lambda facts: [item(facts) for item in items]
    if not isinstance(expr, dict):
        return lambda facts: expr
    (op, value), = expr.items()
    args = _args(value)
    if op == "var":
        name, default = args[0], (args[1] if len(args) > 1 else None)
        return lambda facts: _var(facts, name, default)
    parts = [compile_condition(arg) for arg in args]
    if op in ("and", "or", "if"):
        return {"and": _and, "or": _or, "if": _if}[op](parts)
    return _OPERATIONS[op](parts)


def _var(facts: Mapping[str, Any], name: str, default: Any) -> Any:
    found = facts.get(name)
    return default if found is None else found


def _and(parts: list[Compiled]) -> Compiled:
    def run(facts: Mapping[str, Any]) -> Any:
        result: Any = True
        for part in parts:
            result = part(facts)
            if not truthy(result):
                return result
        return result
    return run


def _or(parts: list[Compiled]) -> Compiled:
    def run(facts: Mapping[str, Any]) -> Any:
        result: Any = False
        for part in parts:
            result = part(facts)
            if truthy(result):
                return result
        return result
    return run


def _if(parts: list[Compiled]) -> Compiled:
    def run(facts: Mapping[str, Any]) -> Any:
        for i in range(0, len(parts) - 1, 2):
            if truthy(parts[i](facts)):
                return parts[i + 1](facts)
        return parts[-1](facts) if len(parts) % 2 else None
    return run


def _binary(test: Callable[[Any, Any], bool]) -> Callable[[list[Compiled]], Compiled]:
    def build(parts: list[Compiled]) -> Compiled:
        a, b = parts
        return lambda facts: test(a(facts), b(facts))
    return build


def _ordering(test: Callable[[Any, Any], bool]) -> Callable[[list[Compiled]], Compiled]:
    def build(parts: list[Compiled]) -> Compiled:
        return lambda facts: _chain([p(facts) for p in parts], test)
    return build


def _not(parts: list[Compiled]) -> Compiled:
    (a,) = parts
    return lambda facts: not truthy(a(facts))


_OPERATIONS: dict[str, Callable[[list[Compiled]], Compiled]] = {
    "!": _not,
    "==": _binary(_equal),
    "!=": _binary(lambda a, b: not _equal(a, b)),
    "in": _binary(_in),
    "<": _ordering(lambda a, b: a < b),
    "<=": _ordering(lambda a, b: a <= b),
    ">": _ordering(lambda a, b: a > b),
    ">=": _ordering(lambda a, b: a >= b),
}
