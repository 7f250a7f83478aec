"""A lookup answer decided by the same policy as a code (spec 5.1).

A found person is a valid code whose colour (final and code colour) and reasons are the
answer's, with `code_age_s` 0 and `cache_stale`, `offline_too_long` false (the answer itself
is fresh; the status cache is not consulted); `clock_error` as usual. `found` false is the
error NOT_FOUND, which the default policy maps to invalid_code."""

from __future__ import annotations

import dataclasses

from checkpoint_app.core.checkpoint import Context, Scan, Source
from checkpoint_app.core.codes.claims import HealthCode
from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.identity import IdDocument, mask
from checkpoint_app.core.lookup.answer import LookupAnswer
from checkpoint_app.core.rules.facts import Freshness
from checkpoint_app.core.status import EmptyCache, FinalStatus
from checkpoint_app.core.verification import Verification


def lookup_context(ctx: Context) -> Context:
    """The context a lookup answer is decided in: no cache, fresh, the clock as it is."""
    fresh = Freshness(cache_stale=False, offline_too_long=False, clock_error=ctx.freshness.clock_error)
    return dataclasses.replace(ctx, cache=EmptyCache(), freshness=fresh)


def lookup_scan(answer: LookupAnswer, doc: IdDocument, now: int) -> Scan:
    """The answer as a scan. The document shows only masked, as a code's `doc` does."""
    if not answer.found or answer.hid is None or answer.color is None or answer.iss is None:
        return Scan(Verification(ErrorCode.NOT_FOUND), None, now, Source.ID_LOOKUP)
    code = HealthCode(iss=answer.iss, iat=answer.at, exp=answer.at + 1, hid=answer.hid, color=answer.color,
                      reasons=answer.reasons, name=answer.name or "", doc=mask(doc.number), doc_type=doc.doc_type)
    status = FinalStatus(answer.color, answer.reasons, cache_entry=False)
    return Scan(Verification(None, None, code), status, now, Source.ID_LOOKUP)
