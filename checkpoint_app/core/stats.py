"""Statistics over scan events: counts by colour, action and invalid reason, fevers,
people per hour, and the pseudonymous CSV export. Qt-free; the window draws them."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo

from checkpoint_app.core.events import SOURCES, ScanEvent

FEVER_ACTION = "fever_referral"
# The CSV columns: the upload fields of spec 5 plus the kind of record; never a name or document.
CSV_COLUMNS = tuple(f.name for f in fields(ScanEvent) if f.name != "extra")


@dataclass(frozen=True, slots=True)
class Statistics:
    people: int  # decisions and manual entries (abandoned visits are not people let through or refused)
    by_color: dict[str, int]  # green / yellow / red / "none" (invalid codes)
    by_action: dict[str, int]
    by_error: dict[str, int]  # invalid codes by error code
    fevers: int
    manual: int
    by_manual_reason: dict[str, int]
    abandoned: int
    allowed: int
    per_hour: tuple[int, ...]  # 24 buckets, local time of day
    days: int
    # People by how they were identified (spec 5.1): "code", "id_lookup", "manual"; each present.
    by_source: dict[str, int] = field(default_factory=dict)


def compute(events: Iterable[ScanEvent], tz: tzinfo | None, fever_threshold_c: float) -> Statistics:
    """`tz` is the checkpoint's local zone (None: the process's local time)."""
    by_color: Counter[str] = Counter()
    by_action: Counter[str] = Counter()
    by_error: Counter[str] = Counter()
    by_manual: Counter[str] = Counter()
    by_source: Counter[str] = Counter({s: 0 for s in SOURCES})
    per_hour = [0] * 24
    people = fevers = manual = abandoned = allowed = 0
    dates = set()
    for e in events:
        if e.kind == "abandoned":
            abandoned += 1
            continue
        people += 1
        by_source[e.source] += 1
        when = datetime.fromtimestamp(e.ts, tz)
        per_hour[when.hour] += 1
        dates.add(when.date())
        allowed += e.allow
        by_action[e.action] += 1
        if (e.temperature_c is not None and e.temperature_c >= fever_threshold_c) or e.action == FEVER_ACTION:
            fevers += 1
        if e.kind == "manual":
            manual += 1
            by_manual[e.manual_reason or "other"] += 1
            continue
        by_color[e.color or "none"] += 1
        if e.error:
            by_error[e.error] += 1
    return Statistics(people, dict(by_color), dict(by_action), dict(by_error), fevers, manual, dict(by_manual),
                      abandoned, allowed, tuple(per_hour), len(dates), dict(by_source))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def to_csv(events: Sequence[ScanEvent], upload: Sequence[str] | None = None) -> str:
    """One row per event, the columns of `CSV_COLUMNS`; times as Unix seconds (UTC) and ISO;
    with `upload` (one per event: waiting, sent, rejected: reason) a last column of it."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow((*CSV_COLUMNS, "time_utc", *(("upload",) if upload is not None else ())))
    for i, e in enumerate(events):
        row = [_cell(getattr(e, name)) for name in CSV_COLUMNS]
        row.append(datetime.fromtimestamp(e.ts).astimezone().isoformat(timespec="seconds"))
        w.writerow(row if upload is None else (*row, upload[i]))
    return out.getvalue()
