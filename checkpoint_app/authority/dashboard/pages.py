"""The dashboard's read pages (an area's usage, the fleet, the report) and the JSON its
charts fetch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, render_template, request

from checkpoint_app.authority.dashboard import queries, texts
from checkpoint_app.authority.dashboard.fleet_view import CityFleet, fleet, tallies
from checkpoint_app.authority.dashboard.queries import Counts, Period
from checkpoint_app.authority.dashboard.web import bp, dash, lang
from checkpoint_app.authority.regions import OTHER, PROVINCE

FLEET_PAGE = 200


def period_arg() -> Period:
    try:
        return Period.parse(request.args.get("from"), request.args.get("to"), queries.today(dash().now()))
    except ValueError as exc:
        abort(400, f"{texts.ui('bad_request', lang())}: {exc}")


def _area_code(code: str) -> str:
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        abort(404, texts.ui("no_data", lang()))
    return code


def area_name(code: str) -> str:
    if code == OTHER:
        return texts.ui("other_region", lang())
    return dash().divisions.name(code, lang())


def _fleet_by(area: str) -> dict[str, CityFleet]:
    d = dash()
    level = d.divisions.level(area)
    counts = tallies(d.authority.engine, d.fleet.snapshot(), d.now(), d.divisions, by_county=level != "province")
    if level == "province":
        return counts
    prefix = area[:4] if level == "city" else area
    return {k: v for k, v in counts.items() if k.startswith(prefix)}


def _trail(code: str) -> list[tuple[str, str]]:
    d = dash().divisions
    trail = [(PROVINCE, area_name(PROVINCE))]
    if d.level(code) != "province":
        city = f"{code[:4]}00"
        if city in d.by_code:
            trail.append((city, area_name(city)))
        if code != city:
            trail.append((code, area_name(code)))
    return trail


def area_model(code: str, period: Period) -> dict[str, Any]:
    d = dash()
    level = d.divisions.level(code)
    engine, div = d.authority.engine, d.divisions
    actions = queries.known_actions(d.authority.document("policy"))
    use = queries.usage(engine, code, period, div, actions)
    days = use.days
    day = _day_arg(period, days)
    children = use.children if level != "county" else {}
    fleets = _fleet_by(code)
    order = queries.ranked(children, code, div, fleets) if level != "county" else []
    places = queries.ranks(order, children)
    ranked = [{"code": c, "name": area_name(c), "counts": children.get(c, Counts()),
               "fleet": fleets.get(c, CityFleet()), "link": c != OTHER, "rank": places.get(c)} for c in order]
    here = fleet(engine, d.fleet.snapshot(), d.now(), div, keep=lambda r: r.region == code) if level == "county" else []
    return {"code": code, "level": level, "trail": _trail(code), "period": period, "day": day,
            "total": use.total, "days": [(k, days.get(k, Counts())) for k in period.days()],
            "hours": queries.by_hour(engine, code, day, div, actions), "ranked": ranked, "checkpoints": here,
            "fleet_total": CityFleet(sum(f.checkpoints for f in fleets.values()),
                                     sum(f.offline for f in fleets.values()),
                                     sum(f.never_seen for f in fleets.values()))}


def _day_arg(period: Period, days: dict[str, Counts]) -> dt.date:
    """The day shown per hour: as asked, else the period's last day with scans."""
    raw = request.args.get("day")
    try:
        if raw:
            return queries.parse_day(raw, "day")
    except ValueError as exc:
        abort(400, f"{texts.ui('bad_request', lang())}: {exc}")
    busy = [d for d in period.days() if d in days and days[d].scans]
    return dt.date.fromisoformat(busy[-1]) if busy else period.last


@bp.get("/area/<code>")
def area(code: str) -> str:
    period = period_arg()
    return render_template("area.html", m=area_model(_area_code(code), period),
                           action_text=lambda a: texts.action(a, lang()))


@bp.get("/fleet")
def fleet_page() -> str:
    d = dash()
    live, city, offline_only = d.fleet.snapshot(), request.args.get("city", ""), request.args.get("offline") == "1"
    cities = tallies(d.authority.engine, live, d.now(), d.divisions)
    shown = fleet(d.authority.engine, live, d.now(), d.divisions,
                  keep=lambda r: (not city or r.city == city) and (not offline_only or r.offline))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    order = [c.code for c in d.divisions.cities()] + ([OTHER] if OTHER in cities else [])
    return render_template("fleet.html", cities=[(c, area_name(c), cities.get(c, CityFleet())) for c in order],
                           rows=shown[(page - 1) * FLEET_PAGE: page * FLEET_PAGE], page=page,
                           pages=max(1, -(-len(shown) // FLEET_PAGE)), shown=len(shown), city=city,
                           offline_only=offline_only, now=d.now(), area_name=area_name,
                           venue_type=lambda v: texts.venue_type(v, lang()))


@bp.get("/report")
def report_page() -> str:
    return render_template("report.html", period=period_arg())


@bp.get("/report.pdf")
def report_pdf() -> Response:
    from checkpoint_app.authority.dashboard.report import render_report

    period = period_arg()
    d = dash()
    pdf = render_report(d.authority, period, lang(), d.fleet.snapshot())
    name = f"report-{period.first.isoformat()}-{period.last.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/api/area/<code>")
def api_area(code: str) -> dict[str, Any]:
    period = period_arg()
    m = area_model(_area_code(code), period)
    return {"area": code, "name": area_name(code), "from": period.first.isoformat(), "to": period.last.isoformat(),
            "total": m["total"].as_json(), "days": [{"day": k, **c.as_json()} for k, c in m["days"]],
            "hours": [{"hour": h, **m["hours"].get(h, Counts()).as_json()} for h in range(24)],
            "children": [{"code": r["code"], "name": r["name"], "checkpoints": r["fleet"].checkpoints,
                          "offline": r["fleet"].offline, **r["counts"].as_json()} for r in m["ranked"]],
            "actions": {a: texts.action(a, lang()) for a in m["total"]["refused"]},
            "labels": {k: texts.ui(k, lang()) for k in ("scans", "green", "yellow", "red", "none", "refused",
                                                        "fevers", "id_lookups", "manual")}}


@bp.get("/api/fleet")
def api_fleet() -> dict[str, Any]:
    d = dash()
    counts = tallies(d.authority.engine, d.fleet.snapshot(), d.now(), d.divisions)
    return {"now": d.now(), "cities": {c: {"name": area_name(c), "checkpoints": f.checkpoints, "offline": f.offline,
                                           "never_seen": f.never_seen} for c, f in counts.items()}}
