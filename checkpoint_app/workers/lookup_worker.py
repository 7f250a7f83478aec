"""The lookup thread (STYLE rule 3: the network has its own thread): asks the platform for
the holder of an ID document (spec 5.1) and sends back the answer as a scan to decide, or
why there is none. Never a refusal for the network: any failure, a bug included, is "no
answer", and the visit goes on to the manual record."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from checkpoint_app.core.lookup.answer import LookupFailure, LookupProblem
from checkpoint_app.core.lookup.client import LookupPlatform, ask
from checkpoint_app.core.lookup.decide import lookup_context, lookup_scan
from checkpoint_app.workers.values import LookupJob, LookupReply, ScanResult

log = logging.getLogger("checkpoint.lookup")
NOT_READY = "NOT_READY"  # the store has not loaded the documents to decide with
CANCELLED = "CANCELLED"  # the visit left this lookup (Esc, the next card, a shutdown) before it was asked


class LookupWorker(QObject):
    """Signals: answered(LookupReply) for each LookupJob, in order."""

    answered = Signal(object)

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._clock = clock
        self._platform: LookupPlatform | None = None
    @Slot()
    def start(self) -> None:
        pass

    @Slot()
    def stop(self) -> None:
        pass

    @Slot(object)
    def _on_platform_known(self, platform: LookupPlatform | None) -> None:
        """Where to ask and which keys to believe (the settings, or what `sync` remembered)."""
        self._platform = platform

    @Slot(object)
    def _on_lookup_requested(self, job: LookupJob) -> None:
        try:
            reply = self._reply(job)
        except Exception:  # a bug must not turn into a refusal: no answer, the manual record follows
            log.exception("lookup %d failed unexpectedly", job.request)
            reply = LookupReply(job.request, None, "ERROR")
        self.answered.emit(reply)

    def _reply(self, job: LookupJob) -> LookupReply:
        if job.cancel.is_set:  # the guard moved on while it queued: the number is not sent
            return LookupReply(job.request, None, CANCELLED)
        if job.ctx is None:
            return LookupReply(job.request, None, NOT_READY)
        if self._platform is None:
            log.warning("lookup %d: no platform configured", job.request)
            return LookupReply(job.request, None, str(LookupProblem.NOT_CONFIGURED))
        started = time.monotonic()
        try:
            answer = ask(self._platform, job.doc, job.ctx.policy.clock_skew_s, now=self._clock, cancel=job.cancel)
        except LookupFailure as exc:
            log.warning("lookup %d: no answer (%s) after %.1f s", job.request, exc.code, time.monotonic() - started)
            return LookupReply(job.request, None, str(exc.code))
        log.info("lookup %d: %s in %.2f s", job.request, "found" if answer.found else "not found",
                 time.monotonic() - started)
        scan = lookup_scan(answer, job.doc, int(self._clock()))
        return LookupReply(job.request, ScanResult("", scan, lookup_context(job.ctx), job.t))
