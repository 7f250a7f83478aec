"""`serve` with several worker processes (gunicorn, Linux and other Unix systems).

Why gunicorn: one Python process answers about 1,000-2,000 polls a second with one core,
whatever its threads (the GIL); a province needs the other cores too. gunicorn is the
long-maintained pre-fork WSGI server: it forks the workers, restarts one that dies or
hangs (`timeout`), and shares the listening socket. It does not run on Windows, where
`serve --server waitress` (one process, threads) remains, as in the demo.

Each worker opens its own database connections and its own caches after the fork (an
engine's pooled connections must never be shared across processes). Its `gthread`
workers keep idle keep-alive connections in a poller, not in a thread; a client that
sends its request slowly does hold a thread, so in production gunicorn sits behind a
buffering reverse proxy (nginx, docs/authority-operations.md), as gunicorn's own
documentation asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from checkpoint_app.cli_common import UsageError

KEEPALIVE_S = 5  # a poll a minute needs no keep-alive; a proxy's upstream connections do


@dataclass(frozen=True)
class Workers:
    host: str
    port: int
    workers: int
    threads: int
    connection_limit: int
    timeout_s: int  # a worker silent this long is killed and replaced

    def options(self) -> dict[str, Any]:
        return {
            "bind": f"{self.host}:{self.port}", "workers": self.workers, "worker_class": "gthread",
            "threads": self.threads, "worker_connections": self.connection_limit,
            "keepalive": KEEPALIVE_S, "timeout": self.timeout_s, "graceful_timeout": 10,
            "backlog": 2048, "limit_request_field_size": 64 * 1024,
            "accesslog": None, "errorlog": "-", "loglevel": "info",  # no line per request
            "proc_name": "checkpoint-authority",
            "worker_exit": _write_fleet,
        }


def _write_fleet(_server: Any, worker: Any) -> None:
    """gunicorn's worker_exit hook, in the worker as it leaves (SIGTERM from systemd through
    the master, a restart, max requests): write the checkpoints' health this worker holds in
    memory for up to a minute, which its exit would lose."""
    app = getattr(worker, "wsgi", None)
    fleet = app.extensions.get("fleet") if app is not None else None
    if fleet is not None:
        fleet.stop()


def available() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:  # Windows, or not installed
        return False
    return True


def run(make_app: Callable[[], Flask], spec: Workers) -> None:
    """Serve until SIGTERM or SIGINT; `make_app` runs in each worker after the fork. Ctrl-C
    (SIGINT) ends in KeyboardInterrupt, as without workers: gunicorn leaves with exit status 0
    for it, and the command's line and exit status 130 (interrupt.py) would be lost."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    interrupted: list[bool] = []

    class _Arbiter(Arbiter):  # type: ignore[misc]  # no type hints either
        def handle_int(self) -> None:
            interrupted.append(True)
            super().handle_int()

    class _App(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints: a subclass of Any
        def load_config(self) -> None:
            for name, value in spec.options().items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return make_app()

    try:
        _Arbiter(_App()).run()
    except RuntimeError as exc:  # what BaseApplication.run, replaced here, made one line of
        raise UsageError(f"gunicorn: {exc}") from None
    except SystemExit as exc:
        if interrupted and exc.code in (0, None):
            raise KeyboardInterrupt from None
        raise
