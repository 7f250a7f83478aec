"""The distribution API of spec section 5 over HTTP: Flask for the routes, waitress to serve.

Why these: Flask is a small, long-maintained WSGI framework whose routing and request
parsing we need and nothing more; waitress is a pure-Python production WSGI server
(no C build, runs on Windows, Linux and in a thread of the demo app). Both are
already dependencies of the project."""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from waitress.server import create_server
from werkzeug.exceptions import HTTPException

from checkpoint_app.authority.dashboard import install as install_dashboard
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.scans import BadBatch
from checkpoint_app.core.trust.documents import MEDIA_TYPE

log = logging.getLogger("checkpoint.authority.http")
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def _signed(body: bytes) -> Response:
    etag = hashlib.sha256(body).hexdigest()[:32]
    resp = Response(status=304) if etag in request.if_none_match else Response(body, mimetype=MEDIA_TYPE)
    resp.set_etag(etag)
    return resp


def _int_arg(name: str, default: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None and default is not None:
        return default
    if raw is None or not raw.isdigit():
        abort(400, f"query parameter {name} must be a non-negative integer")
    return int(raw)


api = Blueprint("distribution_api", __name__, url_prefix="/v1")


def _authority() -> Authority:
    authority: Authority = current_app.extensions["authority"]
    return authority


@api.before_request
def _authenticate() -> None:
    authority = _authority()
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
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
    return _signed(body)


@api.get("/status")
def _status() -> Response:
    since, rebuild = _int_arg("since"), _int_arg("rebuild", 0) == 1
    return _signed(_authority().status_page(since, rebuild))


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


@api.get("/stats")
def _stats() -> Any:
    return jsonify(_authority().stats(_int_arg("from", 0), _int_arg("to", 2**62)))


def _error(exc: HTTPException) -> tuple[Response, int]:
    """Errors as one JSON line, not an HTML page."""
    return jsonify(error=exc.description), exc.code or 500


def create_app(authority: Authority) -> Flask:
    app = Flask("checkpoint_authority")
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    app.extensions["authority"] = authority
    app.register_error_handler(HTTPException, _error)
    app.register_blueprint(api)
    install_dashboard(app, authority)
    return app


@dataclass
class ServerHandle:
    """A server running in a background thread; `stop()` closes it and joins the thread."""

    url: str
    authority: Authority
    _server: Any
    _thread: threading.Thread

    def stop(self) -> None:
        # The loop is not thread-safe: ask it, through its trigger, to close every channel.
        server = self._server
        server.trigger.pull_trigger(lambda: [ch.close() for ch in list(server._map.values())])
        self._thread.join(timeout=10)
        server.task_dispatcher.shutdown()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_server(authority: Authority, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> Any:
    return create_server(create_app(authority), host=host, port=port, threads=threads, ident="checkpoint-authority")


def start_in_thread(authority: Authority, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> ServerHandle:
    """Serve in a daemon thread (port 0: an ephemeral port on loopback)."""
    server = make_server(authority, host, port, threads)
    thread = threading.Thread(target=server.run, name="authority-http", daemon=True)
    thread.start()
    url = f"http://{host}:{server.effective_port}"
    log.info("authority serving on %s", url)
    return ServerHandle(url, authority, server, thread)
