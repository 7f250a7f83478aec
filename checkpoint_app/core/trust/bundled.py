"""The signed documents shipped in resources: a trust list and the default policy, signed
by the demo distribution key. File mode (spec 4.2) decides with them in the demo and the
selftest; the window falls back to them until a first sync (as never synced, unless it is
the demo). Core, not the demo: every kiosk start needs them, and none needs the authority."""

from __future__ import annotations

from pathlib import Path

from checkpoint_app.core.codes.signature import PublicKey, load_public_pem
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import Policy, parse_policy
from checkpoint_app.core.trust.trust_list import TrustList, parse_trust_list
from checkpoint_app.resources import resource


def bundled_key_file() -> Path:
    """The public half of the demo distribution key, which signed the bundled documents."""
    return resource("demo", "keys", "distribution.pub.pem")


def bundled_key() -> PublicKey:
    return load_public_pem(bundled_key_file().read_bytes())


def bundled_documents() -> tuple[TrustList, Policy]:
    """The bundled trust list and policy, verified with the bundled key (a damaged
    resources folder raises DocumentError here, not at the first scan)."""
    key = bundled_key()
    trust = parse_trust_list(open_document(resource("demo", "trust-list.cose").read_bytes(), [key]))
    policy = parse_policy(open_document(resource("policy", "default-policy.cose").read_bytes(), [key]))
    return trust, policy
