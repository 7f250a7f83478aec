"""The province's web dashboard at /dashboard, the fleet-health hook on the distribution
API, the report and the operator pages. Qt-free (import-linter), like all of authority/."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Response, g, request

from checkpoint_app.authority.fleet import FleetMonitor
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.scan_checks import BadEvent, check_event


def _events(body: Any) -> list[Any]:
    events = body.get("events") if isinstance(body, dict) else None
    return events if isinstance(events, list) else []


def _venue(events: list[Any]) -> tuple[str, str] | None:
    """The venue of the last event of an answered upload: where the checkpoint stands now.
    Only from an event the platform takes (scan_checks): a rejected one may carry any text,
    such as a lone surrogate that no page, PDF or database can write."""
    if not events:
        return None
    try:
        last = check_event(events[-1])
    except BadEvent:
        return None
    venue, kind = last.get("venue_id"), last.get("venue_type")
    return (venue, kind or "") if venue else None


def _observe(monitor: FleetMonitor) -> Any:
    def hook(resp: Response) -> Response:
        checkpoint_id = g.get("checkpoint_id")
        if checkpoint_id is None or request.blueprint != "distribution_api":
            return resp
        ok, path = resp.status_code < 400, request.path
        events = _events(request.get_json(silent=True)) if ok and path == "/v1/scans" else None
        monitor.observe(checkpoint_id, dict(request.headers), synced=ok and path == "/v1/status",
                        uploaded=None if events is None else len(events), venue=_venue(events or []))
        return resp
    return hook


def _warm_report() -> None:
    """Load ReportLab and the CJK font (about a second of CPU, once per process) before the
    first report is asked for, not while an office clerk waits for it."""
    from checkpoint_app.authority.dashboard.report import font

    font()


def install(app: Flask, authority: Authority) -> None:
    """Add the dashboard and the fleet hook to the authority's Flask app."""
    from checkpoint_app.authority.dashboard import ops, pages  # noqa: F401  (their routes join the blueprint)
    from checkpoint_app.authority.dashboard.web import Dashboard, bp

    monitor = FleetMonitor(authority.engine, lambda: authority.clock())
    app.extensions["fleet"] = monitor
    app.extensions["dashboard"] = Dashboard.from_env(authority, monitor)
    app.after_request(_observe(monitor))
    app.register_blueprint(bp)
    threading.Thread(target=_warm_report, name="report-warm-up", daemon=True).start()
