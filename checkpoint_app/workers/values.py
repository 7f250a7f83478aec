"""Immutable values the workers send to the GUI thread (STYLE rule 5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from checkpoint_app.core.checkpoint import Context, Scan
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.rules.facts import Freshness, FreshnessLevel
from checkpoint_app.core.sync.deadline import Cancel


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A verified code. `ctx` is a snapshot for `decide` without the store-backed cache
    (decide never reads the cache; only the store thread may touch the store)."""

    text: str
    scan: Scan
    ctx: Context
    t_frame: float  # time.monotonic() of the frame the code was read from


@dataclass(frozen=True, slots=True)
class StoreStatus:
    pending: int
    last_sync: int | None  # what the synced data is as of: the signed platform time of its newest page
    freshness: Freshness
    level: FreshnessLevel
    clock_error: bool


class CameraState(StrEnum):
    """What the camera thread reports (CameraWorker.state_changed), and NONE for a site
    without a camera on purpose (a scanner-only site: said without an alarm)."""

    STARTING = "starting"
    RUNNING = "running"
    RECONNECTING = "reconnecting"  # it ran, was lost, and is being reopened
    FAILED = "failed"  # it never opened; still retried
    STOPPED = "stopped"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    ok: bool
    at: int
    summary: str  # for the log only; the screen shows the state, not this text
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RememberedSync:
    """What `checkpoint-app sync --once` remembered in the data folder (spec section 9:
    "for later runs and for the window"): its server, token and keys come before the
    settings' (core.configuration.choose_platform and choose_keys, the command line's rule)."""

    server_url: str = ""
    token: str = ""
    root_keys: tuple[PublicKey, ...] = ()


@dataclass(frozen=True, slots=True)
class LookupJob:
    """A lookup by ID document (spec 5.1) for the lookup thread. `doc` holds the number in
    memory only (its repr is masked); `ctx` is the documents to decide with (None: the store
    has not loaded them yet); `cancel` is set by the window once the visit left this lookup."""

    request: int
    doc: IdDocument
    ctx: Context | None
    t: float  # time.monotonic() when the card was read or the number entered
    cancel: Cancel = field(default_factory=Cancel)


@dataclass(frozen=True, slots=True)
class LookupReply:
    """The answer as a scan to decide, or why there is none (a LookupProblem code)."""

    request: int
    result: ScanResult | None
    problem: str | None = None
