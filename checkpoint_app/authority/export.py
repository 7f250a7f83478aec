"""`checkpoint-authority export DIR`: the signed documents for a site with no network.

The folder holds exactly what the API would serve a new checkpoint: the trust list,
the policy, and the status pages from since=0 (see core/sync/folder.py for the reader)."""

from __future__ import annotations

from pathlib import Path

from checkpoint_app.authority.platform import Authority
from checkpoint_app.core.sync.pages import parse_status_page
from checkpoint_app.core.trust.documents import open_document

EXPORT_PAGE_SIZE = 100_000


def export_folder(authority: Authority, folder: Path, page_size: int = EXPORT_PAGE_SIZE) -> int:
    """Write the folder; returns the number of status pages. Old pages are removed first so a
    reused stick never mixes two exports."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("trust-list", "policy"):
        body = authority.document(kind)
        if body is None:
            raise ValueError(f"no {kind} published yet: nothing to export")
        (folder / f"{kind}.cose").write_bytes(body)
    for old in folder.glob("status-*.cose"):
        old.unlink()
    key = authority.key.public_key()
    since, rebuilding, number = 0, False, 0
    while True:
        signed = authority.status_page(since, rebuilding, limit=page_size)
        number += 1
        (folder / f"status-{number:06d}.cose").write_bytes(signed)
        page = parse_status_page(open_document(signed, [key]), since, rebuilding=rebuilding)
        since, rebuilding = page.to, rebuilding or page.reset
        if not page.more:
            return number
