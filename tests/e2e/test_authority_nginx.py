"""The production layout of issue 12 on loopback: nginx (Debian's package) with the site
config of docs/nginx/checkpoint-authority.conf in front of `serve --workers 2`, set up
with the bulk commands. A checkpoint syncs through it; full pages come from nginx's cache
(X-Cache-Status HIT, the same bytes), last pages and resets never do, a cached page is
not given to an unknown token, a revoked token is refused by every worker within a
refresh, and after a new epoch and the documented purge the pages are the new epoch's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.status_pages import StatusPage, parse_status_page
from checkpoint_app.core.store import Store
from checkpoint_app.core.trust.documents import open_document
from tests.support.authority_process import authority_cli, serving
from tests.support.nginx import nginx_in_front
from tests.support.signed_docs import DIST_KEY, DIST_PUB, genuine_documents
from tests.support.sync_checks import cache_state
from tests.support.sync_platform import sync

pytestmark = pytest.mark.needs_programs("nginx")
PEOPLE = 2500
PAGE = 1000


def _get(url: str, token: str, since: int, rebuild: bool = False) -> requests.Response:
    query = f"since={since}" + ("&rebuild=1" if rebuild else "")
    return requests.get(f"{url}/v1/status?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _page(resp: requests.Response, since: int) -> StatusPage:
    assert resp.status_code == 200, resp.text
    payload = open_document(resp.content, [load_public_pem(DIST_PUB.read_bytes())])
    return parse_status_page(payload, since, skew_s=300, rebuilding=False)


def _set_up(tmp: Path) -> tuple[Path, list[str], str]:
    """The database as an operator makes it: documents, a token sheet, a status file."""
    db = tmp / "authority.sqlite3"
    docs = genuine_documents(tmp, int(time.time()))
    (tmp / "trust.cose").write_bytes(docs.trust_list)
    (tmp / "policy.cose").write_bytes(docs.policy)
    (tmp / "checkpoints.csv").write_text("checkpoint_id,venue_id,venue_type\nNG-1,140105-mall-1,mall\n"
                                         "NG-2,140105-mall-1,mall\n")
    (tmp / "token.key").write_bytes(os.urandom(32))
    authority_cli("register-checkpoints", "--db", str(db), str(tmp / "checkpoints.csv"), "--out",
                  str(tmp / "sheet.csv"), "--token-key", str(tmp / "token.key"))
    tokens = [line.split(",")[2] for line in (tmp / "sheet.csv").read_text().splitlines()[1:]]
    now = int(time.time())
    rows = "".join(f"{os.urandom(16).hex()},red,103,{now - 100}\n" for _ in range(PEOPLE))
    (tmp / "statuses.csv").write_text("hid,color,reasons,effective_at\n" + rows)
    authority_cli("import-statuses", "--db", str(db), str(tmp / "statuses.csv"))
    return db, tokens, f"--trust-list={tmp / 'trust.cose'}"


def test_a_checkpoint_syncs_through_nginx_which_caches_full_pages_only(tmp_path: Path) -> None:
    db, (token, other), trust = _set_up(tmp_path)
    args = ("--workers", "2", "--threads", "4", "--page-size", str(PAGE), trust, f"--policy={tmp_path / 'policy.cose'}")
    with serving(db, DIST_KEY, *args) as port, nginx_in_front(port, tmp_path / "nginx") as url:
        with Store.open(tmp_path / "checkpoint") as store:
            report = sync(store, url, token, [load_public_pem(DIST_PUB.read_bytes())])
            assert report.ok, report
            assert len(cache_state(store.path)) == PEOPLE

        first, again = _get(url, token, 0), _get(url, token, 0)
        assert again.headers["X-Cache-Status"] == "HIT" and again.content == first.content  # signed once
        assert _page(again, 0).more and again.headers["Cache-Control"] == "public, max-age=3600"
        assert _get(url, other, 0).headers["X-Cache-Status"] == "HIT"  # the same page for every checkpoint
        for _ in range(2):
            last = _get(url, token, 2 * PAGE)
            assert not _page(last, 2 * PAGE).more and last.headers["Cache-Control"] == "no-store"
            assert last.headers["X-Cache-Status"] != "HIT"
        reset = _get(url, token, 10 * PEOPLE)
        assert reset.headers["X-Cache-Status"] != "HIT" and reset.headers["Cache-Control"] == "no-store"
        assert _get(url, "NG-1.forged", 0).status_code == 401  # a cached page is no public page

        authority_cli("revoke-checkpoint", "--db", str(db), "NG-2")
        start = time.monotonic()
        direct = f"http://127.0.0.1:{port}"
        while any(_get(direct, other, 2 * PAGE).status_code == 200 for _ in range(4)):  # both workers
            assert time.monotonic() - start < 3, "a revoked token still served after 3 s"
            time.sleep(0.1)

        old = _page(first, 0).epoch
        authority_cli("new-epoch", "--db", str(db))
        for cached in (tmp_path / "nginx" / "pages").rglob("*"):  # the purge the docs ask for
            if cached.is_file():
                cached.unlink()
        time.sleep(1.2)  # the workers' refresh
        fresh = _get(url, token, 0)
        assert fresh.headers["X-Cache-Status"] == "MISS" and _page(fresh, 0).epoch != old
        with Store.open(tmp_path / "checkpoint") as store:
            assert sync(store, url, token, [load_public_pem(DIST_PUB.read_bytes())]).ok  # rebuilt in the new epoch
            assert len(cache_state(store.path)) == PEOPLE
