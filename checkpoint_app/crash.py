"""Why did the app (re)start, and what happens when a bug escapes.

RunMarker keeps one small file beside the logs: "running" while the app runs, "clean" after
an orderly exit, "crashed" with the exception's type and place after a bug. At the next
start it tells which: a marker still saying "running" means the process never got to
write anything, i.e. it was killed (SIGKILL, OOM killer, power loss, a hang ended by the
supervisor). systemd and the Windows start script restart the app in every case.

CrashHandler installs sys.excepthook and threading.excepthook (rule 7: a bug is logged
with context, the kiosk shows "out of service" and recovers). It logs the traceback
(redacted by logs.RedactFilter), marks the run crashed, calls `show_out_of_service()` and
then `restart()`, both injected by the composition root. They are called on the thread
that crashed: pass something thread-safe (a Signal's emit). Recovery is a restart by the
supervisor, which is why `restart` should leave with a non-zero exit code.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

log = logging.getLogger("checkpoint.crash")

MARKER_FILE = "run-state.json"
EXIT_RESTART = 3  # "restart me": any non-zero status makes the supervisors start the app again


class RunMarker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def start(self) -> str:
        """Log why the previous run ended, then mark this one as running. Returns the reason."""
        reason = self._previous()
        log.info("starting (pid %d); previous run: %s", os.getpid(), reason)
        self._write({"state": "running", "pid": os.getpid(), "since": int(time.time())})
        return reason

    def clean_exit(self) -> None:
        self._write({"state": "clean", "at": int(time.time())})

    def crashed(self, summary: str) -> None:
        self._write({"state": "crashed", "summary": summary, "at": int(time.time())})

    def _previous(self) -> str:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return "none (first start)"
        except (OSError, ValueError):
            return "unknown (the run marker was unreadable)"
        state = data.get("state") if isinstance(data, dict) else None
        if state == "clean":
            return "clean exit"
        if state == "crashed":
            return f"crashed: {data.get('summary', '?')}"
        if state == "running":
            return f"killed or lost power (pid {data.get('pid', '?')} left no exit record)"
        return "unknown (the run marker was unreadable)"

    def _write(self, data: dict[str, object]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)  # atomic: a kill mid-write leaves the old marker, never half a file
        except OSError as exc:
            log.error("cannot write the run marker %s: %s", self.path, exc.strerror)


def summarize(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """Type and innermost place, never the message (it may quote data)."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return f"{exc_type.__name__}{where}"


class CrashHandler:
    def __init__(self, marker: RunMarker, *, show_out_of_service: Callable[[], None] | None = None,
                 restart: Callable[[], None] | None = None) -> None:
        self._marker = marker
        self._show = show_out_of_service
        self._restart = restart
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._previous = (sys.excepthook, threading.excepthook)
        self.crashes = 0

    def install(self) -> CrashHandler:
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, thread=name)

    def _on_exception(self, exc_type: type[BaseException], exc: BaseException,
                      tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous[0](exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb, thread=threading.current_thread().name)

    def handle(self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None, *,
               thread: str) -> None:
        with self._lock:  # two threads failing at once: one report each, one restart
            self.crashes += 1
            summary = summarize(exc_type, tb)
            uptime = time.monotonic() - self._started
            log.critical("BUG: unhandled %s in thread %s after %.0f s up; out of service, restarting",
                         summary, thread, uptime,
                         # exc is None when threading.excepthook has no value: logging copes, typeshed says no
                         exc_info=(exc_type, exc, tb))  # type: ignore[arg-type]
            self._marker.crashed(f"{summary} (thread {thread})")
            for step in (self._show, self._restart):
                if step is None:
                    continue
                try:
                    step()
                except Exception:  # the handler itself must never be the next crash
                    log.exception("crash handler step %r failed", step)
