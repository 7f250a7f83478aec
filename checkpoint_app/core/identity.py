"""Resident identity numbers (GB 11643-1999): the check before any lookup, the masked form,
and the as-typed state the keypad shows.

A number is 18 characters: a 6-digit region code (GB/T 2260), the birth date YYYYMMDD, a
3-digit sequence (odd for men) and a check character, ISO 7064 MOD 11-2 over the first 17
digits: sum(digit_i * 2^(17-i) mod 11) mod 11 indexes "10X98765432". MOD 11-2 catches
every single wrong character and every swap of two neighbours, which is what a keypad
produces; spec 5.1 asks for it before any request.

Besides the check character a number must name a province (the first two digits) and a
real date, not in the future. These catch nothing the check character would miss once
all 18 are typed, but they catch it at the key where it happens (a 3 as the first digit,
a 13th month), not 18 keys later, and they turn away a number read from a damaged card
that passes MOD 11-2 by chance (1 in 11). The county digits are not checked: codes were
renamed and merged since the 1980s and old numbers keep the old codes.

First-generation 15-digit numbers have not been valid since 2013 and are refused.
Problems are codes; the GUI words them (STYLE rule 8).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

RESIDENT_ID = 1  # spec 5.1 doc_type
LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")
# GB/T 2260 provinces; 71 Taiwan; 81-83 the residence permits of Hong Kong, Macao and
# Taiwan residents, which carry a GB 11643 number and read like ID cards.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})
EARLIEST_YEAR = 1800  # GB 11643's own example, 440524188001010014, was born in 1880
_OTHER_DOC_MAX = 32  # passports and permits (doc_type 2-5): bounded, not checked


class IdProblem(StrEnum):
    LENGTH = "ID_LENGTH"
    CHARACTERS = "ID_CHARACTERS"
    REGION = "ID_REGION"
    BIRTH_DATE = "ID_BIRTH_DATE"
    CHECK_DIGIT = "ID_CHECK_DIGIT"


class Typed(StrEnum):
    PARTIAL = "partial"  # valid so far: keep typing
    COMPLETE = "complete"  # 18 characters and valid: ready to look up
    WRONG_CHECK = "wrong_check"  # 18 characters, everything fits but the check character
    INVALID = "invalid"  # cannot become valid by typing more; `problem` says why


@dataclass(frozen=True, slots=True)
class TypingState:
    state: Typed
    problem: IdProblem | None = None


def normalize(text: str) -> str:
    """What the person meant: no spaces, and a lower-case x is the check character X."""
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    if len(first17) != LENGTH - 1 or not set(first17) <= _DIGITS:
        raise ValueError("the check character needs exactly 17 digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(number: str, *, today: dt.date | None = None) -> IdProblem | None:
    """None for a valid number; else its length, or the first problem in the order a person types."""
    if len(normalize(number)) != LENGTH:
        return IdProblem.LENGTH
    return as_typed(number, today=today).problem


def is_valid(number: str, *, today: dt.date | None = None) -> bool:
    return problem(number, today=today) is None


def as_typed(text: str, *, today: dt.date | None = None) -> TypingState:
    """The keypad's view of a number typed so far (normalised first)."""
    t = normalize(text)
    if len(t) > LENGTH:
        return TypingState(Typed.INVALID, IdProblem.LENGTH)
    if any(c not in _DIGITS and not (c == "X" and i == LENGTH - 1) for i, c in enumerate(t)):
        return TypingState(Typed.INVALID, IdProblem.CHARACTERS)
    if t and not any(p.startswith(t[:2]) for p in PROVINCES):
        return TypingState(Typed.INVALID, IdProblem.REGION)
    if len(t) > 6 and not _date_prefix_possible(t[6:14], today or dt.date.today()):
        return TypingState(Typed.INVALID, IdProblem.BIRTH_DATE)
    if len(t) < LENGTH:
        return TypingState(Typed.PARTIAL)
    if check_character(t[:-1]) != t[-1]:
        return TypingState(Typed.WRONG_CHECK, IdProblem.CHECK_DIGIT)
    return TypingState(Typed.COMPLETE)


def _date_prefix_possible(p: str, today: dt.date) -> bool:
    """Whether some date from EARLIEST_YEAR to today, written YYYYMMDD, starts with `p`."""
    year_lo, year_hi = int(p[:4].ljust(4, "0")), int(p[:4].ljust(4, "9"))
    if year_hi < EARLIEST_YEAR or year_lo > today.year:
        return False
    if len(p) <= 4:
        return True
    year = int(p[:4])
    months = [m for m in range(1, 13) if f"{m:02d}".startswith(p[4:6])]
    if len(p) <= 6 or not months:
        return bool(months)
    month = int(p[4:6])
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if f"{d:02d}".startswith(p[6:8])]
    if len(p) < 8 or not days:
        return bool(days)
    return dt.date(year, month, int(p[6:8])) <= today


def mask(number: str) -> str:
    """140105199001010913 → 1401**********0913: what a screen or a record may show."""
    if len(number) <= 8:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_as_typed(text: str) -> str:
    """What the keypad shows of a number being typed: never more than `mask` of the whole
    number (the first four and the last four characters), so a finished entry looks alike."""
    t = normalize(text)
    return "".join(c if i < 4 or i >= LENGTH - 4 else "*" for i, c in enumerate(t))


@dataclass(frozen=True, slots=True)
class IdDocument:
    """A document to look up (spec 5.1). Only ever in memory: its repr and str are masked,
    so a stray log call or traceback cannot leak the number. A resident ID number must be
    valid to exist at all, so nothing can send one that fails its check character."""

    doc_type: int
    number: str

    def __post_init__(self) -> None:
        if self.doc_type == RESIDENT_ID:
            found = problem(self.number)
            if found is not None:
                raise ValueError(f"not a valid resident identity number: {found}")
        elif not 2 <= self.doc_type <= 5:
            raise ValueError(f"unknown document type {self.doc_type}")
        elif not 0 < len(self.number) <= _OTHER_DOC_MAX or not self.number.isascii() or not self.number.isalnum():
            raise ValueError("a document number is 1-32 letters and digits")

    def __repr__(self) -> str:
        return f"IdDocument(doc_type={self.doc_type}, number={mask(self.number)!r})"

    __str__ = __repr__
