"""The distribution API of spec section 5 over HTTP: Flask for the routes, waitress to serve.

Why these: Flask is a small, long-maintained WSGI framework whose routing and request
parsing we need and nothing more; waitress is a pure-Python production WSGI server
(no C build, runs on Windows, Linux and in a thread of the demo app). Both are
already dependencies of the project."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from waitress import trigger
from waitress.server import create_server
from werkzeug.exceptions import HTTPException

from checkpoint_app.authority.dashboard import install as install_dashboard
from checkpoint_app.authority.lookup import MAX_BODY_BYTES as MAX_LOOKUP_BYTES
from checkpoint_app.authority.lookup import BadLookup, RateLimited
from checkpoint_app.authority.platform import Authority, LookupUnavailable
from checkpoint_app.authority.scans import BadBatch
from checkpoint_app.core.bounds import MAX_INT
from checkpoint_app.core.trust.documents import MEDIA_TYPE

log = logging.getLogger("checkpoint.authority.http")
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# Spec 4.3: a full page (more, not a reset) is history that does not change, and may come from a
# cache or a CDN; an hour bounds what a cache keeps serving of an old epoch when a restore's
# purge is forgotten. Reset and last pages carry the fresh `at` of every sync: never cached.
# A full page also carries a weak ETag that names it (epoch, generation, from, to), the same
# from every worker; the authority itself never answers a status request with 304 (spec 5).
FULL_PAGE_CACHE = "public, max-age=3600"


_ETAGS: dict[str, tuple[bytes, str]] = {}  # per kind: the body last served (the same object while unchanged)


def _signed(kind: str, body: bytes) -> Response:
    held = _ETAGS.get(kind)
    if held is not None and held[0] is body:
        etag = held[1]
    else:
        etag = hashlib.sha256(body).hexdigest()[:32]
        _ETAGS[kind] = (body, etag)
    resp = Response(status=304) if etag in request.if_none_match else Response(body, mimetype=MEDIA_TYPE)
    resp.set_etag(etag)
    return resp


def _int_arg(name: str, default: int | None = None) -> int:
    """A query integer in 0..2^53-1 (spec 4.4), in ASCII digits: str.isdigit() also takes
    '²' (which int() refuses) and '１２' (which int() reads as 12)."""
    raw = request.args.get(name)
    if raw is None and default is not None:
        return default
    if raw is None or not (raw.isascii() and raw.isdigit() and len(raw) <= 16 and int(raw) <= MAX_INT):
        abort(400, f"query parameter {name} must be an integer from 0 to 2^53 - 1")
    return int(raw)


def _bearer() -> str | None:
    """The token of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC
    7235); None for any other form, such as a bare token (spec 5)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


api = Blueprint("distribution_api", __name__, url_prefix="/v1")


def _authority() -> Authority:
    authority: Authority = current_app.extensions["authority"]
    return authority


@api.before_request
def _authenticate() -> None:
    authority = _authority()
    token = _bearer()
    if token is None and "Authorization" in request.headers:
        abort(401, "give the token as 'Authorization: Bearer <token>'")
    if request.path == "/v1/stats":
        if not authority.admin_token or token != authority.admin_token:
            abort(401, "the statistics need the admin token")
        return
    g.checkpoint_id = authority.checkpoint_for(token) if token else None
    if g.checkpoint_id is None:
        abort(401, "unknown checkpoint token")


@api.get("/trust-list")
def _trust_list() -> Response:
    return _document("trust-list")


@api.get("/policy")
def _policy() -> Response:
    return _document("policy")


def _document(kind: str) -> Response:
    body = _authority().document(kind)
    if body is None:
        abort(404, f"no {kind} published yet")
    return _signed(kind, body)


@api.get("/status")
def _status() -> Response:
    """Always a signed page, never a 304 (spec 5): every sync must carry a fresh signed `at`."""
    since, rebuild = _int_arg("since"), _int_arg("rebuild", 0) == 1
    served = _authority().status_page(since, rebuild)
    resp = Response(served.body, mimetype=MEDIA_TYPE)
    full = served.page.more and not served.page.reset
    resp.headers["Cache-Control"] = FULL_PAGE_CACHE if full else "no-store"
    if full:
        resp.set_etag(served.name, weak=True)
    return resp


@api.get("/token")
def _token() -> Response:
    """204 for a registered token (the check runs before every route), else 401: for a reverse
    proxy's auth_request, so that it serves cached full pages to checkpoints only (not in
    spec 5: an addition of this authority, docs/nginx/checkpoint-authority.conf)."""
    resp = Response(status=204)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@api.post("/scans")
def _scans() -> Any:
    try:
        result = _authority().ingest(g.checkpoint_id, request.get_json(silent=True))
    except BadBatch as exc:
        abort(400, str(exc))
    except PermissionError as exc:
        abort(403, str(exc))
    return jsonify(accepted=result.accepted, duplicates=result.duplicates,
                   rejected=[{"event_id": r.event_id, "error": r.error} for r in result.rejected])


@api.post("/lookup")
def _lookup() -> Response:
    """Spec 5.1. Errors say what is wrong with the request, never the document number in it."""
    if request.content_length is None:
        abort(411, "a lookup needs a Content-Length")
    if request.content_length > MAX_LOOKUP_BYTES:
        abort(413, f"a lookup body is at most {MAX_LOOKUP_BYTES} bytes")
    try:
        body = _authority().lookup(g.checkpoint_id, request.get_json(silent=True))
    except BadLookup as exc:
        abort(400, str(exc))
    except RateLimited as exc:
        resp = jsonify(error=str(exc))
        resp.status_code, resp.headers["Retry-After"] = 429, str(exc.retry_after_s)
        return resp
    except LookupUnavailable as exc:
        abort(501, str(exc))
    resp = Response(body, mimetype=MEDIA_TYPE)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@api.get("/stats")
def _stats() -> Any:
    return jsonify(_authority().stats(_int_arg("from", 0), _int_arg("to", MAX_INT)))


def _error(exc: HTTPException) -> tuple[Response, int]:
    """Errors as one JSON line, not an HTML page."""
    return jsonify(error=exc.description), exc.code or 500


class _BoundedJSON(DefaultJSONProvider):
    """JSON bodies nested beyond the recursion limit are malformed (a ValueError, which
    `get_json(silent=True)` turns into None and the routes into 400), not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def create_app(authority: Authority) -> Flask:
    app = Flask("checkpoint_authority")
    app.json = _BoundedJSON(app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    app.extensions["authority"] = authority
    app.register_error_handler(HTTPException, _error)
    app.register_blueprint(api)
    install_dashboard(app, authority)
    return app


STOP_S = 30.0  # for the loop and each worker to end: generous, a loaded machine is slow to schedule them


class _Trigger(trigger.trigger):  # type: ignore[misc]  # waitress has no type hints
    """waitress' wake-up pipe, which a worker thread writes to ("pull") when it has an answer
    for the loop to send. A worker may pull it after the loop has closed it at stop(): such a
    pull now does nothing. It wrote to a closed descriptor (EBADF, 'Exception when servicing'),
    or into whatever pipe, socket or file had reused the number by then."""

    def __init__(self, socket_map: dict[int, Any]) -> None:
        self._pulling = threading.Lock()
        super().__init__(socket_map)
        os.set_blocking(self.trigger, False)  # a full pipe wakes the loop already: never wait on it

    def _physical_pull(self) -> None:
        with self._pulling:
            if not self._closed:
                with contextlib.suppress(BlockingIOError):
                    super()._physical_pull()

    def _close(self) -> None:
        with self._pulling:  # `_closed` is set: no pull starts, and one under way ends first
            super()._close()


def _close_everything(server: Any) -> None:
    """In the loop's own thread (it is not thread-safe): every connection, through
    handle_close so that a worker waiting to send is woken, then the listener and the
    trigger. With nothing left to watch, the loop ends."""
    for channel in list(server._map.values()):
        if channel is not server and channel is not server.trigger:
            channel.handle_close()
    server.close()


@dataclass
class ServerHandle:
    """A server running in a background thread; `stop()` closes it and joins the thread."""

    url: str
    authority: Authority
    _server: Any
    _thread: threading.Thread
    app: Flask | None = None

    def stop(self) -> None:
        server = self._server
        server.trigger.pull_trigger(lambda: _close_everything(server))
        self._thread.join(timeout=STOP_S)
        if self._thread.is_alive():
            log.warning("the HTTP loop did not end within %.0f s", STOP_S)
        server.task_dispatcher.shutdown(timeout=STOP_S)
        # The fleet's writer thread writes what it still holds and ends with the server: left
        # running, it retried a database that a test had already stopped, every 5 s.
        fleet = self.app.extensions.get("fleet") if self.app is not None else None
        if fleet is not None:
            fleet.stop()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class ServeLimits:
    """How many clients, and how idle, waitress keeps (production defaults; `serve` options).

    A connection that sends half a request and waits (a slowloris) costs waitress a socket
    and a buffer, not a thread, so the limit can be high; waitress' default of 100 let 100
    such connections lock every checkpoint out. An idle or stalled connection is closed
    after `channel_timeout_s`. In production a reverse proxy in front also bounds header
    and body time per request (docs/authority-operations.md)."""

    connection_limit: int = 1000
    channel_timeout_s: int = 30

    def waitress(self) -> dict[str, Any]:
        return {"connection_limit": self.connection_limit, "channel_timeout": self.channel_timeout_s,
                "cleanup_interval": max(1, min(30, self.channel_timeout_s // 2)),
                "asyncore_use_poll": True,  # select() cannot watch descriptors past 1024
                "max_request_body_size": MAX_UPLOAD_BYTES, "max_request_header_size": 64 * 1024,
                "ident": "checkpoint-authority"}


def make_server(authority: Authority, host: str = "127.0.0.1", port: int = 0, threads: int = 4,
                limits: ServeLimits = ServeLimits()) -> Any:
    return create_server(create_app(authority), host=host, port=port, threads=threads, **limits.waitress())


def start_in_thread(authority: Authority, host: str = "127.0.0.1", port: int = 0, threads: int = 4,
                    limits: ServeLimits = ServeLimits()) -> ServerHandle:
    """Serve in a daemon thread (port 0: an ephemeral port on loopback)."""
    app = create_app(authority)
    server = create_server(app, host=host, port=port, threads=threads, **limits.waitress())
    server.trigger.close()  # before the loop runs: the one that stop() can close safely instead
    server.trigger = _Trigger(server._map)
    thread = threading.Thread(target=server.run, name="authority-http", daemon=True)
    thread.start()
    url = f"http://{host}:{server.effective_port}"
    log.info("authority serving on %s", url)
    return ServerHandle(url, authority, server, thread, app)
