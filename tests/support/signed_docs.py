"""Genuine signed documents of the demo platform, for hostile servers and folders to serve
beside their hostile ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import demo_keys_dir

DIST_KEY = demo_keys_dir() / "distribution.pem"
DIST_PUB = demo_keys_dir() / "distribution.pub.pem"


@dataclass(frozen=True)
class Documents:
    trust_list: bytes
    policy: bytes
    first_page: bytes  # since=0, the whole (small) demo log


def genuine_documents(workdir: Path, now: int) -> Documents:
    authority = Authority.open(f"sqlite:///{workdir / 'genuine.sqlite3'}", load_private_key(DIST_KEY),
                               clock=lambda: now)
    seed(authority, now)
    trust, policy = authority.document("trust-list"), authority.document("policy")
    assert trust is not None and policy is not None
    page = authority.status_page(0, False).body
    authority.engine.dispose()
    return Documents(trust, policy, page)


def sign(payload: bytes) -> bytes:
    """A document signed with the genuine distribution key (a hostile payload, but signed)."""
    from checkpoint_app.core.trust.documents import sign_document

    return sign_document(load_private_key(DIST_KEY), payload)
