"""The JsonLogic subset of spec 4.2."""

from __future__ import annotations

from typing import Any

import pytest

from checkpoint_app.core.rules.jsonlogic import RuleError, compile_condition, truthy, validate

FACTS = {"a": 1, "b": 2.5, "s": "red", "n": None, "t": True, "f": False, "xs": [101, 103], "empty": []}
NAMES = frozenset(FACTS)


def ev(expr: Any) -> Any:
    validate(expr, NAMES)
    return compile_condition(expr)(FACTS)


@pytest.mark.parametrize(("expr", "expected"), [
    ({"var": "a"}, 1),
    ({"var": ["n", 7]}, 7),
    ({"==": [{"var": "s"}, "red"]}, True),
    ({"==": [{"var": "a"}, 1.0]}, True),
    ({"==": [{"var": "a"}, "1"]}, False),  # no coercion
    ({"==": [{"var": "t"}, 1]}, False),  # a bool is not a number
    ({"==": [{"var": "n"}, None]}, True),
    ({"!=": [{"var": "n"}, None]}, False),
    ({"<": [{"var": "n"}, 1]}, False),  # null never orders
    ({">=": [{"var": "n"}, 1]}, False),
    ({"<=": [{"var": "n"}, None]}, False),
    ({"<": [0, {"var": "a"}, 2]}, True),
    ({"<=": [1, {"var": "a"}, 1]}, True),
    ({">": [{"var": "b"}, 2]}, True),
    ({"in": [103, {"var": "xs"}]}, True),
    ({"in": [102, {"var": "xs"}]}, False),
    ({"in": ["ed", {"var": "s"}]}, True),
    ({"in": [1, {"var": "n"}]}, False),
    ({"!": {"var": "empty"}}, True),
    ({"!": [{"var": "xs"}]}, False),
    ({"and": [{"var": "t"}, {"var": "a"}]}, 1),
    ({"or": [{"var": "f"}, {"var": "n"}, "x"]}, "x"),
    ({"if": [{"var": "f"}, "a", {"var": "t"}, "b", "c"]}, "b"),
    ({"if": [{"var": "f"}, "a", "c"]}, "c"),
    ({"if": [{"var": "f"}, "a"]}, None),
    (True, True),
    ([1, {"var": "a"}], [1, 1]),
])
def test_evaluate(expr: Any, expected: Any) -> None:
    assert ev(expr) == expected


def test_and_or_short_circuit() -> None:
    """The operand after the deciding one is not read."""
    calls: list[str] = []

    class Spy(dict[str, object]):
        def get(self, key: str, default: object = None) -> object:
            calls.append(key)
            return super().get(key, default)

    assert compile_condition({"and": [{"var": "f"}, {"var": "t"}]})(Spy(FACTS)) is False
    assert compile_condition({"or": [{"var": "t"}, {"var": "f"}]})(Spy(FACTS)) is True
    assert calls == ["f", "t"]


@pytest.mark.parametrize("expr", [
    {"+": [1, 2]}, {"var": "unknown"}, {"var": 3}, {"==": [1]}, {"==": [1, 2, 3]}, {"a": 1, "b": 2}, {},
    {"!": [1, 2]}, {"in": [1]}, {"merge": [[1], [2]]}, {"==": [{"x": 1}, 1]}, {"<": [1, 2, 3, 4]}, 1j,
])
def test_validate_refuses(expr: Any) -> None:
    with pytest.raises(RuleError):
        validate(expr, NAMES)


def test_nesting_limit() -> None:
    expr: Any = True
    for _ in range(40):
        expr = {"!": expr}
    with pytest.raises(RuleError, match="deeply"):
        validate(expr, NAMES)


@pytest.mark.parametrize(("value", "expected"), [(None, False), (0, False), ("", False), ([], False),
                                                 ([0], True), ("0", True), (0.1, True)])
def test_truthy(value: Any, expected: bool) -> None:
    assert truthy(value) is expected
