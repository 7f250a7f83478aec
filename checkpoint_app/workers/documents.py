"""The signed documents the window starts from before (or without) a sync: the bundled
demo documents for file mode, and the pinned distribution keys named in the settings."""

from __future__ import annotations

import logging
from pathlib import Path

from checkpoint_app.core.checkpoint import Context
from checkpoint_app.core.codes.signature import PublicKey, load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list
from checkpoint_app.resources import resource

log = logging.getLogger("checkpoint.store")


def bundled_context() -> Context:
    """File mode (spec 4.2) from the documents shipped in resources, signed by the demo key."""
    key = load_public_pem(resource("demo", "keys", "distribution.pub.pem").read_bytes())
    trust = parse_trust_list(open_document(resource("demo", "trust-list.cose").read_bytes(), [key]))
    policy = parse_policy(open_document(resource("policy", "default-policy.cose").read_bytes(), [key]))
    return Context(trust=trust, policy=policy)


def read_keys(spec: str) -> list[PublicKey]:
    keys = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        try:
            keys.append(load_public_pem(Path(part).read_bytes()))
        except (OSError, ValueError):
            log.error("distribution key %s unreadable; ignored", part)
    return keys
