"""The authority never makes a status page that checkpoints must refuse (spec 4.4: at most
4 MiB). An export's 100,000 entries per page reach 4.0 MB with five reasons each; with
more reasons, or a large `serve --page-size`, the page is made again with fewer entries."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from checkpoint_app.authority.export import export_folder
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.cli import main
from checkpoint_app.core.bounds import MAX_PAGE_BYTES
from checkpoint_app.core.store import Store
from checkpoint_app.demo.authority import seed
from tests.support.signed_docs import DIST_KEY, DIST_PUB

ENTRIES = 40_000
REASONS = tuple(range(101, 141))  # forty reasons: about 150 bytes an entry, 6 MB for the lot


def test_an_export_of_entries_with_many_reasons_stays_readable(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    now = int(time.time())
    authority = Authority.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", load_private_key(DIST_KEY), clock=lambda: now)
    seed(authority, now)
    head = authority.set_statuses([(hashlib.blake2b(i.to_bytes(4, "big"), digest_size=16).digest(), 2, REASONS,
                                    now - 3600) for i in range(ENTRIES)])
    pages = export_folder(authority, tmp_path / "stick")  # 100,000 entries a page, by default
    sizes = [p.stat().st_size for p in sorted((tmp_path / "stick").glob("status-*.cose"))]
    assert pages == len(sizes) > 1
    assert max(sizes) <= MAX_PAGE_BYTES
    data = tmp_path / "cp"
    assert main(["sync", "--from", str(tmp_path / "stick"), "--root-key", str(DIST_PUB), "--data-dir", str(data)]) == 0
    capsys.readouterr()
    with Store.open(data) as store:
        assert store.cursor() == head
