"""Resident identity numbers: the GB 11643 check character, the as-typed states, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint_app.core.identity import (
    IdDocument,
    IdProblem,
    Typed,
    as_typed,
    check_character,
    is_valid,
    mask,
    normalize,
    problem,
)

TODAY = dt.date(2020, 3, 3)
# GB 11643-1999's own examples, and numbers made with their check characters worked out by hand
VALID = ["11010519491231002X", "440524188001010014", "140105199001010913", "810000199408230021",
         "620102200002291017", "33010219921203054X"]
WRONG_CHECK = ["110105194912310021", "440524188001010015", "140105199001010916"]  # the spec's example is one


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers(number: str) -> None:
    assert problem(number, today=TODAY) is None
    assert as_typed(number, today=TODAY).state is Typed.COMPLETE


@pytest.mark.parametrize("number", WRONG_CHECK)
def test_wrong_check_characters(number: str) -> None:
    assert problem(number, today=TODAY) is IdProblem.CHECK_DIGIT
    assert as_typed(number, today=TODAY).state is Typed.WRONG_CHECK


@pytest.mark.parametrize(("number", "code"), [
    ("", IdProblem.LENGTH),
    ("14010519900101091", IdProblem.LENGTH),  # 17
    ("1401051990010109133", IdProblem.LENGTH),  # 19
    ("140105900101091", IdProblem.LENGTH),  # a first-generation 15-digit number
    ("14010519900101X913", IdProblem.CHARACTERS),  # X only as the check character
    ("14010519900101０913", IdProblem.CHARACTERS),  # a full-width digit is not a digit here
    ("14010519900101091३", IdProblem.CHARACTERS),  # nor is a Devanagari three
    ("990105199001010913", IdProblem.REGION),
    ("010105199001010913", IdProblem.REGION),
    ("140105199002300913", IdProblem.BIRTH_DATE),  # 30 February
    ("140105199013010913", IdProblem.BIRTH_DATE),  # month 13
    ("140105202103030913", IdProblem.BIRTH_DATE),  # born after "today"
    ("140105179912310913", IdProblem.BIRTH_DATE),
])
def test_problems_are_named(number: str, code: IdProblem) -> None:
    assert problem(number, today=TODAY) is code


def test_leap_days_and_today() -> None:
    assert is_valid("620102200002291017", today=TODAY)  # 2000 was a leap year
    born_today = "110105202003030011"
    first17 = born_today[:17]
    assert is_valid(first17 + check_character(first17), today=TODAY)
    tomorrow = "11010520200304001"
    assert problem(tomorrow + check_character(tomorrow), today=TODAY) is IdProblem.BIRTH_DATE
    no_leap = "11010519000229001"  # 1900 was not
    assert problem(no_leap + check_character(no_leap), today=TODAY) is IdProblem.BIRTH_DATE


def test_typing_flags_the_key_where_it_goes_wrong() -> None:
    assert as_typed("", today=TODAY).state is Typed.PARTIAL
    assert as_typed("1401", today=TODAY).state is Typed.PARTIAL
    assert as_typed("0", today=TODAY).problem is IdProblem.REGION
    assert as_typed("19", today=TODAY).problem is IdProblem.REGION  # no province 19
    assert as_typed("1401053", today=TODAY).problem is IdProblem.BIRTH_DATE  # year 3xxx
    assert as_typed("1401051", today=TODAY).state is Typed.PARTIAL  # 18xx/19xx
    assert as_typed("14010517", today=TODAY).problem is IdProblem.BIRTH_DATE
    assert as_typed("1401052021", today=TODAY).problem is IdProblem.BIRTH_DATE
    assert as_typed("14010519902", today=TODAY).problem is IdProblem.BIRTH_DATE  # month 2x
    assert as_typed("140105199000", today=TODAY).problem is IdProblem.BIRTH_DATE
    assert as_typed("1401051990023", today=TODAY).problem is IdProblem.BIRTH_DATE  # no 3x in February
    assert as_typed("1401051990013", today=TODAY).state is Typed.PARTIAL
    assert as_typed("1401051990010X", today=TODAY).problem is IdProblem.CHARACTERS
    assert as_typed("14010519900101091x", today=TODAY).state is Typed.WRONG_CHECK  # x read as X


def test_normalize() -> None:
    assert normalize(" 11010519491231002x \n") == "11010519491231002X"
    assert normalize("1101 0519 4912 3100 2X") == "11010519491231002X"


def test_masking_keeps_region_and_tail_only() -> None:
    assert mask("140105199001010913") == "1401**********0913"
    assert mask("11010519491231002X") == "1101**********002X"
    assert mask("E1234567") == "E1******"


def test_a_document_never_shows_its_number() -> None:
    doc = IdDocument(1, "11010519491231002X")
    assert "19491231" not in repr(doc) and "19491231" not in str(doc) and "19491231" not in f"{doc!r} {doc}"
    assert repr(doc) == "IdDocument(doc_type=1, number='1101**********002X')"
    assert doc.number == "11010519491231002X"


def test_a_resident_document_needs_a_valid_number() -> None:
    with pytest.raises(ValueError, match="ID_CHECK_DIGIT"):
        IdDocument(1, "140105199001010916")
    with pytest.raises(ValueError, match="unknown document type"):
        IdDocument(9, "E12345678")
    with pytest.raises(ValueError, match="letters and digits"):
        IdDocument(2, "E1234 5678")
    assert IdDocument(2, "E12345678").number == "E12345678"


def _number(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["11", "14", "44", "65", "81"])) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(dt.date(1900, 1, 1), TODAY)).strftime("%Y%m%d")
    first17 = region + born + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return first17 + check_character(first17)


numbers = st.composite(_number)()


@given(numbers)
def test_every_prefix_of_a_valid_number_is_valid_so_far(number: str) -> None:
    assert is_valid(number, today=TODAY)
    for n in range(len(number)):
        assert as_typed(number[:n], today=TODAY).state is Typed.PARTIAL, number[:n]


@given(numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_one_wrong_character_is_caught(number: str, at: int, char: str) -> None:
    typo = number[:at] + char + number[at + 1:]
    if typo != number:
        assert not is_valid(typo, today=TODAY)


@given(numbers, st.integers(0, 16))
def test_any_swap_of_neighbours_is_caught(number: str, at: int) -> None:
    swapped = number[:at] + number[at + 1] + number[at] + number[at + 2:]
    if swapped != number:
        assert not is_valid(swapped, today=TODAY)


@given(st.text(max_size=40))
def test_anything_typed_gets_a_state(text: str) -> None:
    state = as_typed(text, today=TODAY)
    assert (state.state is Typed.INVALID) == (state.problem is not None and state.state is not Typed.WRONG_CHECK)
