"""Payload → decision throughput on one core, by stage, next to bare `cryptography` ES256.

    taskset -c 0 .venv/bin/python bench/verify_bench.py [--seconds 5] [--rounds 5]

Stages are timed separately on the same payloads; "full" is checkpoint.scan + decide,
exactly what the window and `verify` run per code. The floor is OpenSSL's ECDSA P-256
verification alone (DER signature prepared in advance), which no verifier can beat."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.issuing import issue
from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.checkpoint import Context, Inputs, decide, scan
from checkpoint_app.core.codes.base45 import b45decode
from checkpoint_app.core.codes.claims import Color, HealthCode, parse_claims
from checkpoint_app.core.codes.cose import parse_sign1
from checkpoint_app.core.codes.payload import inflate
from checkpoint_app.core.codes.signature import ES256, verify
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list

NOW = 1_600_000_000
ROOT = Path(__file__).resolve().parents[1]


def setup(n: int) -> tuple[Context, list[str], ec.EllipticCurvePublicKey]:
    dist, issuer = generate_key(), generate_key()
    trust_doc = trust_list_json(1, NOW, [IssuerKey("140000", "山西省", issuer.public_key(), NOW - 10**6, NOW + 10**6)])
    policy_doc = json.loads((ROOT / "resources/policy/default-policy.json").read_text(encoding="utf-8"))
    keys = [dist.public_key()]
    trust = parse_trust_list(open_document(sign_json(dist, trust_doc), keys))
    policy = parse_policy(open_document(sign_json(dist, policy_doc), keys))
    colors = [Color.GREEN] * 8 + [Color.YELLOW, Color.RED]  # a queue is mostly green
    texts = [issue(issuer, HealthCode("140000", NOW - 600, NOW + 86400, i.to_bytes(16, "big"), colors[i % 10],
                                      (201,) if colors[i % 10] == Color.YELLOW else (), "王*廉", "1401**0916", 1))
             for i in range(n)]
    return Context(trust=trust, policy=policy), texts, issuer.public_key()  # type: ignore[return-value]


def rate(fn: Callable[[object], object], items: list[object], seconds: float) -> float:
    """Calls per second of fn over items, repeated for about `seconds`."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            fn(item)
        done += len(items)
    return done / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--codes", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    ctx, texts, pub = setup(a.codes)
    inputs = Inputs(36.5, True)
    bodies = [t[5:] for t in texts]
    compressed = [b45decode(b) for b in bodies]
    coses = [inflate(c) for c in compressed]
    signs = [parse_sign1(c) for c in coses]
    tbs = [(s.to_be_signed(), s.signature) for s in signs]
    ders = [(m, encode_dss_signature(int.from_bytes(s[:32], "big"), int.from_bytes(s[32:], "big"))) for m, s in tbs]
    scans = [scan(t, ctx, NOW) for t in texts]
    assert all(s.verification.valid for s in scans)
    ecdsa = ec.ECDSA(hashes.SHA256())
    stages: list[tuple[str, Callable[[object], object], list[object]]] = [
        ("floor: cryptography ES256 verify (DER ready)", lambda md: pub.verify(md[1], md[0], ecdsa), ders),
        ("base45 decode", b45decode, bodies),
        ("zlib inflate (capped)", inflate, compressed),
        ("COSE_Sign1 parse", parse_sign1, coses),
        ("Sig_structure + ES256 verify (r||s)", lambda s: verify(ES256, pub, s.to_be_signed(), s.signature), signs),
        ("claims parse", lambda s: parse_claims(cbor2.loads(s.payload)), signs),
        ("policy decision (9 rules)", lambda s: decide(s, inputs, ctx), scans),
        ("full: payload -> decision", lambda t: decide(scan(t, ctx, NOW), inputs, ctx), texts),
    ]
    # Interleaved rounds, median per stage: the floor and the full path see the same
    # moments of CPU frequency and neighbours' load, so their ratio is stable.
    rounds: dict[str, list[float]] = {name: [] for name, _, _ in stages}
    for _ in range(a.rounds):
        for name, fn, items in stages:
            rounds[name].append(rate(fn, items, a.seconds / a.rounds))
    results = {name: statistics.median(rates) for name, rates in rounds.items()}
    floor, full = results[stages[0][0]], results["full: payload -> decision"]
    print(f"python {platform.python_version()}, {a.codes} distinct ES256 codes, {a.seconds}s per stage "
          f"in {a.rounds} interleaved rounds (median), one core")
    print(f"{'stage':48} {'per second':>12} {'µs each':>9}")
    for name, per_s in results.items():
        print(f"{name:48} {per_s:12,.0f} {1e6 / per_s:9.1f}")
    print(f"full / floor time ratio: {floor / full:.2f}x  (target <= 2x; >= 3,000 decisions/s)")


if __name__ == "__main__":
    main()
