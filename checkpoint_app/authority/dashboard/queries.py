"""What the dashboard and the report show, read from the count tables (rollup.py) and the
fleet tables; never from the events themselves, so a page costs the same at 30 M events.

Areas: the province (140000: every event the authority holds, so its totals equal
`/v1/stats`), a city (1401xx: its counties' codes start with 1401) or a county."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, case, func, literal, select, true

from checkpoint_app.authority.dashboard.texts import ACTIONS
from checkpoint_app.authority.db import scan_counts_day, scan_counts_hour
from checkpoint_app.authority.regions import OTHER, PROVINCE, Divisions
from checkpoint_app.authority.scans import CHINA_OFFSET_S
from checkpoint_app.core.codes.cose import parse_sign1
from checkpoint_app.core.errors import CodeError, DocumentError
from checkpoint_app.core.trust.policy import parse_policy

SPEC_ACTIONS = frozenset(ACTIONS)

CST = dt.timezone(dt.timedelta(seconds=CHINA_OFFSET_S))
MAX_DAYS = 366
# The days that can hold events (scan_checks: ts from 2020-01-01 to 2100-01-01). Outside them
# a period is a typo, and a date near year 1 or 9999 overflows the date arithmetic below.
FIRST_DAY, LAST_DAY = dt.date(2020, 1, 1), dt.date(2099, 12, 31)
OTHER_ACTION = "other"  # refusals whose action no policy of ours names


def parse_day(text: str, what: str) -> dt.date:
    """A YYYY-MM-DD text within FIRST_DAY..LAST_DAY; ValueError with a one-line reason
    that does not repeat the text."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} is a date, YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{what} is a date between {FIRST_DAY} and {LAST_DAY}")
    return day


class Counts(defaultdict[str, Counter[str]]):
    """facet -> value -> events (rollup.py's facets)."""

    def __init__(self) -> None:
        super().__init__(Counter)

    @property
    def scans(self) -> int:
        return self["all"][""]

    def n(self, facet: str, value: str) -> int:
        return self[facet][value]

    @property
    def refused(self) -> int:
        return sum(self["refused"].values())

    def as_json(self) -> dict[str, Any]:
        return {"scans": self.scans, **{f: dict(sorted(c.items())) for f, c in sorted(self.items()) if f != "all"}}


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # inclusive

    @classmethod
    def parse(cls, first: str | None, last: str | None, today: dt.date, default_days: int = 7) -> Period:
        """From YYYY-MM-DD texts (China dates); raises ValueError with a one-line reason."""
        end = parse_day(last, "to") if last else min(max(today, FIRST_DAY), LAST_DAY)
        start = parse_day(first, "from") if first else max(FIRST_DAY, end - dt.timedelta(days=default_days - 1))
        if start > end:
            raise ValueError("the first day is after the last day")
        if (end - start).days >= MAX_DAYS:
            raise ValueError(f"a period is at most {MAX_DAYS} days")
        return cls(start, end)

    def days(self) -> list[str]:
        return [(self.first + dt.timedelta(days=i)).isoformat() for i in range((self.last - self.first).days + 1)]

    @property
    def ts_from(self) -> int:
        return day_start(self.first)

    @property
    def ts_to(self) -> int:
        return day_start(self.last) + 86400


def day_start(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), CST).timestamp())


def today(now: float) -> dt.date:
    return dt.datetime.fromtimestamp(now, CST).date()


def area_clause(region: ColumnElement[str], area: str, divisions: Divisions) -> ColumnElement[bool]:
    level = divisions.level(area)
    if level == "province":
        return true()
    if level == "city":
        return region.like(f"{area[:4]}%")
    clause: ColumnElement[bool] = region == area
    return clause


@dataclass(frozen=True)
class Usage:
    """An area's counts over a period, per day and per child (city or county), from one query."""

    days: dict[str, Counts]
    children: dict[str, Counts]

    @property
    def total(self) -> Counts:
        return total(self.days)


def folded(t: Table, actions: frozenset[str]) -> ColumnElement[str]:
    """The count row's value, with the actions no policy of ours names counted as one: an
    action is any text a checkpoint uploads, and a new name in every event made every page
    list each one (a page of 15 MB after 100,000 refusals)."""
    stray = and_(t.c.facet.in_(("action", "refused")), t.c.value.not_in(sorted(actions)))
    value: ColumnElement[str] = case((stray, literal(OTHER_ACTION)), else_=t.c.value)
    return value


def usage(engine: Engine, area: str, period: Period, divisions: Divisions,
          actions: frozenset[str] = SPEC_ACTIONS) -> Usage:
    t = scan_counts_day
    key = func.substr(t.c.region, 1, 4) if area == PROVINCE else t.c.region
    value = folded(t, actions)
    q = (select(t.c.day, key, t.c.facet, value, func.sum(t.c.n))
         .where(t.c.day >= period.first.isoformat(), t.c.day <= period.last.isoformat(),
                area_clause(t.c.region, area, divisions))
         .group_by(t.c.day, key, t.c.facet, value))
    days: dict[str, Counts] = defaultdict(Counts)
    children: dict[str, Counts] = defaultdict(Counts)
    child = _child_key(area, divisions)
    with engine.connect() as conn:
        for day, k, facet, value, n in conn.execute(q):
            days[day][facet][value] += int(n)
            children[child(str(k))][facet][value] += int(n)
    return Usage(dict(days), dict(children))


def _child_key(area: str, divisions: Divisions) -> Any:
    if area != PROVINCE:
        return lambda k: k
    cache: dict[str, str] = {}
    return lambda k: cache.setdefault(k, divisions.city_of(f"{k}00" if len(k) == 4 else k))


def by_day(engine: Engine, area: str, period: Period, divisions: Divisions,
           actions: frozenset[str] = SPEC_ACTIONS) -> dict[str, Counts]:
    return usage(engine, area, period, divisions, actions).days


def by_child(engine: Engine, area: str, period: Period, divisions: Divisions,
             actions: frozenset[str] = SPEC_ACTIONS) -> dict[str, Counts]:
    """Counts per city (province page) or per county (city and county pages)."""
    return usage(engine, area, period, divisions, actions).children


def by_hour(engine: Engine, area: str, day: dt.date, divisions: Divisions,
            actions: frozenset[str] = SPEC_ACTIONS) -> dict[int, Counts]:
    t = scan_counts_hour
    start = day_start(day)
    value = folded(t, actions)
    q = (select(t.c.hour, t.c.facet, value, func.sum(t.c.n))
         .where(t.c.hour >= start, t.c.hour < start + 86400, area_clause(t.c.region, area, divisions))
         .group_by(t.c.hour, t.c.facet, value))
    return _collect(engine, q, lambda h: (int(h) - start) // 3600)


def known_actions(policy: bytes | None) -> frozenset[str]:
    """The actions of section 6 and of our published policy (signed COSE; it was verified
    when it was published), as the counts spell them (lower case)."""
    if policy is None:
        return SPEC_ACTIONS
    return _policy_actions(policy)


@lru_cache(maxsize=4)
def _policy_actions(policy: bytes) -> frozenset[str]:
    try:
        named = parse_policy(parse_sign1(policy).payload).actions
    except (CodeError, DocumentError):
        return SPEC_ACTIONS
    return SPEC_ACTIONS | {a.lower() for a in named}


def total(parts: dict[Any, Counts]) -> Counts:
    out = Counts()
    for counts in parts.values():
        for facet, values in counts.items():
            out[facet].update(values)
    return out


def _collect(engine: Engine, query: Any, key: Any) -> dict[Any, Counts]:
    out: dict[Any, Counts] = defaultdict(Counts)
    with engine.connect() as conn:
        for k, facet, value, n in conn.execute(query):
            out[key(k)][facet][value] += int(n)
    return dict(out)


def ranked(children: dict[str, Counts], area: str, divisions: Divisions, listed: Iterable[str] = ()) -> list[str]:
    """The 通报 order: most scans first; every city (or county) of the area is listed, idle ones
    last, and so is every code of `listed` (those with checkpoints: the checkpoints of the
    rows add up to the area's, also when those outside any division have no scans)."""
    codes = [d.code for d in (divisions.cities() if area == PROVINCE else divisions.counties(area))]
    extra = [*children, *listed]
    codes += sorted({c for c in extra if c not in codes and c != OTHER})
    codes.sort(key=lambda c: (-children[c].scans if c in children else 0, c))
    return codes + ([OTHER] if OTHER in extra else [])


def ranks(order: list[str], children: dict[str, Counts]) -> dict[str, int]:
    """The rank of each code of `ranked`'s order, equal scans sharing a rank (1, 2, 2, 4):
    two cities with as many scans are not first and second. OTHER gets no rank."""
    out: dict[str, int] = {}
    rank, last = 0, -1
    for place, code in enumerate((c for c in order if c != OTHER), start=1):
        scans = children[code].scans if code in children else 0
        rank, last = (rank if scans == last else place), scans
        out[code] = rank
    return out
