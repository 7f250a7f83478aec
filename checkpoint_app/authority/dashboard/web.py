"""The dashboard's blueprint: login and logout, the session and CSRF guard, the language,
security headers, and what every template gets.

Every page but the login needs a live session (auth.py). Every POST carries the session's
CSRF token (form field `csrf` or header `X-CSRF-Token`); the login form, before there is a
session, carries a random token that must equal its own cookie (double submit). The
cookies are HttpOnly and SameSite=Strict, and Secure when the request came over HTTPS
or CHECKPOINT_DASHBOARD_SECURE_COOKIES=1 (behind a TLS proxy)."""

from __future__ import annotations

import datetime as dt
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from checkpoint_app.authority.dashboard import auth, texts
from checkpoint_app.authority.fleet import FleetMonitor
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import Divisions, shanxi
from checkpoint_app.resources import resource

SESSION_COOKIE = "cp_dash_session"
LOGIN_CSRF_COOKIE = "cp_dash_login"
LANG_COOKIE = "cp_dash_lang"
CST = dt.timezone(dt.timedelta(hours=8))
HID_KEY_ENV = "CHECKPOINT_AUTHORITY_HID_KEY"
SECURE_ENV = "CHECKPOINT_DASHBOARD_SECURE_COOKIES"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard",
               template_folder=str(resource("dashboard", "templates")),
               static_folder=str(resource("dashboard", "static")), static_url_path="/static")


@dataclass
class Dashboard:
    authority: Authority
    fleet: FleetMonitor
    divisions: Divisions = field(default_factory=shanxi)
    throttle: auth.LoginThrottle = field(default_factory=auth.LoginThrottle)
    hid_key_path: Path | None = None

    @classmethod
    def from_env(cls, authority: Authority, fleet: FleetMonitor) -> Dashboard:
        key = os.environ.get(HID_KEY_ENV)
        return cls(authority, fleet, hid_key_path=Path(key) if key else None)

    def now(self) -> int:
        return int(self.authority.clock())


def dash() -> Dashboard:
    d: Dashboard = current_app.extensions["dashboard"]
    return d


def lang() -> str:
    return texts.lang_of(g.get("lang"))


def _pick_lang() -> str:
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in texts.LANGS:
        return asked
    return request.accept_languages.best_match(["zh", "en"]) or "zh"


def _secure() -> bool:
    return request.is_secure or os.environ.get(SECURE_ENV) == "1"


def _cookie(resp: Any, name: str, value: str, max_age: int | None = None) -> None:
    resp.set_cookie(name, value, max_age=max_age, path="/dashboard", httponly=True, samesite="Strict",
                    secure=_secure())


@bp.before_request
def _guard() -> Any:
    g.lang = _pick_lang()
    if request.endpoint in ("dashboard.login", "dashboard.static"):
        return None
    sid = request.cookies.get(SESSION_COOKIE, "")
    session = auth.find_session(dash().authority.engine, sid, dash().now())
    if session is None:
        if request.path.startswith("/dashboard/api/") or request.method != "GET":
            abort(401, texts.ui("session_ended", lang()))
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("dashboard.login", next=target, ended=1 if sid else None))
    g.session = session
    if request.method == "POST":
        sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            abort(403, texts.ui("csrf_failed", lang()))
    return None


@bp.after_request
def _headers(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "dashboard.static":
        resp.headers["Cache-Control"] = "no-store"
    if request.args.get("lang") in texts.LANGS:
        _cookie(resp, LANG_COOKIE, request.args["lang"], max_age=365 * 86400)
    return resp


def _error(exc: HTTPException) -> Any:
    if request.path.startswith("/dashboard/api/"):
        return {"error": exc.description}, exc.code or 500
    return render_template("error.html", message=exc.description, code=exc.code), exc.code or 500


bp.register_error_handler(HTTPException, _error)


@bp.app_context_processor
def _context() -> dict[str, Any]:
    if not request.path.startswith("/dashboard"):
        return {}
    current = lang()
    args = request.args.to_dict()
    args["lang"] = "en" if current == "zh" else "zh"
    return {"lang": current, "t": lambda key, **kw: texts.ui(key, current, **kw), "session": g.get("session"),
            "lang_url": f"{request.path}?{urlencode(args)}"}


@bp.app_template_filter("ts")
def _ts(value: int | None) -> str:
    """A Unix time as China time, 'MM-DD HH:MM'; a dash for never."""
    if value is None:
        return "—"
    return dt.datetime.fromtimestamp(value, CST).strftime("%m-%d %H:%M")


_NEXT = re.compile(r"/dashboard/[A-Za-z0-9/_.~%&=?+-]*")


def _safe_next(target: str | None) -> str:
    """A page of the dashboard to return to after the login: a path of ours in plain URL
    characters, never another host ('//x', '\\x'), a climb out ('..') nor a line break
    (which made the redirect's Location header fail with a 500)."""
    if target and _NEXT.fullmatch(target) and "//" not in target and ".." not in target:
        return target
    return url_for("dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = texts.ui("session_ended", lang()) if request.args.get("ended") else None
    if request.method == "POST":
        error = _try_login()
        if error is None:
            return g.login_response
    token = secrets.token_urlsafe(32)
    resp = Response(render_template("login.html", csrf=token, error=error, next=request.args.get("next", "")),
                    status=401 if request.method == "POST" else 200)
    _cookie(resp, LOGIN_CSRF_COOKIE, token)
    return resp


def _try_login() -> str | None:
    form = request.form
    sent, cookie = form.get("csrf", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (sent and cookie and hmac.compare_digest(sent.encode(), cookie.encode())):
        return texts.ui("csrf_failed", lang())
    user, password = form.get("username", "")[:64], form.get("password", "")[:1024]
    keys = (f"user:{user}", f"addr:{request.remote_addr}")
    d = dash()
    if d.throttle.blocked(*keys):
        return texts.ui("login_throttled", lang())
    if not auth.verify_login(d.authority.engine, user, password):
        d.throttle.failed(*keys)
        return texts.ui("login_failed", lang())
    sid, _ = auth.open_session(d.authority.engine, user, d.now())
    resp = redirect(_safe_next(form.get("next")), code=303)
    _cookie(resp, SESSION_COOKIE, sid)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/dashboard")
    g.login_response = resp
    return None


@bp.post("/logout")
def logout() -> Any:
    auth.close_session(dash().authority.engine, request.cookies.get(SESSION_COOKIE, ""))
    resp = redirect(url_for("dashboard.login"), code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return resp


@bp.get("/")
def home() -> Any:
    return redirect(url_for("dashboard.area", code="140000"))
