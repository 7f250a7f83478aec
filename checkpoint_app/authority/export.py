"""`checkpoint-authority export DIR`: the signed documents for a site with no network.

The folder holds exactly what the API would serve a new checkpoint: the trust list,
the policy, and the status pages from since=0 (see core/sync/folder.py for the reader)."""

from __future__ import annotations

from pathlib import Path

from checkpoint_app.authority.platform import Authority

EXPORT_PAGE_SIZE = 100_000


def _write_documents(authority: Authority, folder: Path) -> None:
    for kind in ("trust-list", "policy"):
        body = authority.document(kind)
        if body is None:
            raise ValueError(f"no {kind} published yet: nothing to export")
        (folder / f"{kind}.cose").write_bytes(body)


def export_folder(authority: Authority, folder: Path, page_size: int = EXPORT_PAGE_SIZE) -> int:
    """Write the folder; returns the number of status pages. Old pages are removed first so a
    reused stick never mixes two exports; the documents are written again after the pages, so
    that they are at least as new as the serials the pages announce (spec 4.3)."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_documents(authority, folder)
    for old in folder.glob("status-*.cose"):
        old.unlink()
    since, rebuilding, number = 0, False, 0
    while True:
        served = authority.status_page(since, rebuilding, limit=page_size)
        number += 1
        (folder / f"status-{number:06d}.cose").write_bytes(served.body)
        since, rebuilding = served.page.to, rebuilding or served.page.reset
        if not served.page.more:
            _write_documents(authority, folder)
            return number
