"""The authority that `checkpoint-app --demo` starts in-process, with the demo keys.

It publishes a trust list of the demo issuer keys and the default policy, seeds the
demo people's statuses (so the cache matters: the green person's code can be
overridden), answers lookups by the demo people's ID numbers, and registers one
checkpoint token."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.issuing import hid_for, mask_name
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.lookup import register
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_keys_dir, hid_secret
from checkpoint_app.resources import resource

DEMO_CHECKPOINT_ID = "DEMO-0001"
YEAR_S = 366 * 86400


@dataclass
class DemoAuthority:
    url: str
    token: str
    checkpoint_id: str
    distribution_public_key: Path
    handle: ServerHandle

    def stop(self) -> None:
        self.handle.stop()


def _trust_list(authority: Authority, now: int) -> None:
    keys = demo_keys_dir()
    issuers = [IssuerKey(iss, name, load_public_pem((keys / f"issuer-{iss}.pub.pem").read_bytes()),
                         now - YEAR_S, now + YEAR_S)
               for iss, name in (("140000", "山西省"), ("110000", "北京市"))]
    authority.publish("trust-list", sign_json(authority.key, trust_list_json(1, now, issuers)))


def seed(authority: Authority, now: int) -> None:
    """Documents, the demo people's statuses effective an hour ago, and the demo people
    registered for lookups by ID number (spec 5.1)."""
    _trust_list(authority, now)
    authority.publish("policy", resource("policy", "default-policy.cose").read_bytes())
    secret = hid_secret()
    authority.set_statuses([(hid_for(secret, p.id_number), int(p.color), p.reasons, now - 3600)
                            for p in DEMO_PEOPLE if p.color or p.reasons])
    for p in DEMO_PEOPLE:
        register(authority.engine, secret, IdDocument(1, p.id_number), hid_for(secret, p.id_number),
                 mask_name(p.name), "140000", now - 86400)


def start_demo_authority(workdir: Path, port: int = 0) -> DemoAuthority:
    """A fresh demo authority (its database in `workdir`) serving on 127.0.0.1."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "demo-authority.sqlite3"
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    authority = Authority.open(f"sqlite:///{db}", load_private_key(demo_keys_dir() / "distribution.pem"),
                               hid_secret=hid_secret())
    seed(authority, int(time.time()))
    token = authority.register_checkpoint(DEMO_CHECKPOINT_ID)
    handle = start_in_thread(authority, "127.0.0.1", port)
    return DemoAuthority(handle.url, token, DEMO_CHECKPOINT_ID, demo_keys_dir() / "distribution.pub.pem", handle)
