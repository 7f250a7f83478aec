"""The writers of a platform, each run in its own process on one database (spawned, so each
opens its own connections): status appends (some scheduled a moment ahead), the bulk
import of one file by two processes at once, scan ingest with overlapping batches,
registration, compaction, and pages served (which publish the scheduled changes)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from checkpoint_app.authority import bulk, status_import
from checkpoint_app.authority.platform import Authority

ROUNDS = 12
PER_ROUND = 40
SCHEDULED_IN_S = 3


def hid(writer: int, i: int) -> bytes:
    """A person of their own for every change: compaction then keeps every entry, and the
    log must hold each change exactly once."""
    return writer.to_bytes(4, "big") + i.to_bytes(12, "big")


def expected_changes(writer: int, now: int) -> list[tuple[bytes, int, tuple[int, ...], int]]:
    out = []
    for i in range(ROUNDS * PER_ROUND):
        scheduled = i % 7 == 0
        out.append((hid(writer, i), 1 + i % 2, (100 + i % 5,), now + SCHEDULED_IN_S if scheduled else now - i))
    return out


def import_file(now: int, rows: int = 3000) -> str:
    lines = ["hid,color,reasons,effective_at"]
    lines += [f"{hid(99, i).hex()},red,103,{now - 5}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def _events(batch: int, now: int) -> list[dict[str, Any]]:
    return [{"event_id": str(uuid.UUID(int=batch * 1000 + i)), "ts": now - 60, "venue_id": "140105-mall-1",
             "venue_type": "mall", "hid": "ab" * 16, "iss": "140000", "code_color": "green", "color": "green",
             "reasons": [], "temperature_c": 36.5, "mask": True, "action": "pass", "allow": True, "error": None,
             "policy_serial": 1, "operator": "g"} for i in range(50)]


def run(role: str, url: str, start: Any, writer: int, now: int) -> None:
    authority = Authority.open(url, _key())
    start.wait(30)
    if role == "append":
        changes = expected_changes(writer, now)
        for r in range(ROUNDS):
            authority.set_statuses(changes[r * PER_ROUND:(r + 1) * PER_ROUND])
    elif role == "import":
        text = import_file(now)
        changes = bulk.parse_statuses(text, now)
        status_import.import_statuses(authority, changes, status_import.file_digest(text.encode()), chunk=500)
    elif role == "ingest":
        for batch in range(30):  # the two ingest processes send the same batches, in other orders
            n = batch if writer == 0 else 29 - batch
            authority.ingest("CP-0", {"checkpoint_id": "CP-0", "events": _events(n, now)})
    elif role == "register":
        specs = [bulk.CheckpointSpec(f"CP-{writer}-{i}", "140105-mall-1", "mall") for i in range(400)]
        for i in range(0, 400, 50):
            bulk.register_checkpoints(authority, specs[i:i + 50])
    elif role == "compact":
        until = time.monotonic() + SCHEDULED_IN_S + 2
        while time.monotonic() < until:
            authority.compact(None)
    elif role == "serve":
        until = time.monotonic() + SCHEDULED_IN_S + 3
        while time.monotonic() < until:
            authority.status_page(0, False, limit=500)  # publishes the changes that came due


def _key() -> Any:
    from checkpoint_app.authority.keys import load_private_key
    from tests.support.signed_docs import DIST_KEY

    return load_private_key(DIST_KEY)
