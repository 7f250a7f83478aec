"""Regenerate the forgery corpus (from the repository root, as a module so `tests` imports):

    .venv/bin/python -m tests.data.forgeries.make_corpus

Writes trust-list.cose, policy.cose, distribution.pub.pem and corpus.jsonl here. The
keys are thrown away: the corpus is fixed data, verified at AT."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.keys import generate_key, public_pem
from checkpoint_app.core.codes.claims import Color, HealthCode
from checkpoint_app.core.codes.signature import kid_of
from checkpoint_app.resources import resource
from tests.support.jkm_forge import claims_payload, sign1, text_of, wrap_cose

HERE = Path(__file__).resolve().parent
AT = 1_600_000_000


def main() -> None:
    dist, issuer, issuer_b, stranger, ed = (generate_key(), generate_key(), generate_key(), generate_key(),
                                            generate_key("EdDSA"))
    year = 365 * 86400
    keys = [IssuerKey("140000", "山西省", issuer.public_key(), AT - year, AT + year),
            IssuerKey("140000", "山西省(二)", issuer_b.public_key(), AT - year, AT + year),
            IssuerKey("110000", "北京市", ed.public_key(), AT - year, AT + year)]
    (HERE / "trust-list.cose").write_bytes(sign_json(dist, trust_list_json(1, AT, keys)))
    policy = json.loads(resource("policy", "default-policy.json").read_text(encoding="utf-8"))
    (HERE / "policy.cose").write_bytes(sign_json(dist, policy))
    (HERE / "distribution.pub.pem").write_bytes(public_pem(dist.public_key()))

    code = HealthCode("140000", AT - 600, AT + 86400, bytes(range(16)), Color.RED, (103,), "赵*", "1401**0916", 1)
    payload = claims_payload(code)
    kid = kid_of(issuer.public_key())
    good = cbor2.loads(sign1(issuer, payload)).value
    tbs = cbor2.dumps(["Signature1", good[0], b"", payload])
    green = claims_payload(code, jkm_3=0, jkm_4=[])
    deep = b"\x81" * 50_000 + b"\x00"

    cases = [
        ("control-valid", wrap_cose(sign1(issuer, payload)), None),
        ("alg-confusion-eddsa-header-on-es256-kid",
         wrap_cose(sign1(ed, payload, protected={1: -8, 4: kid})), "UNSUPPORTED_ALGORITHM"),
        ("alg-none-text", wrap_cose(sign1(issuer, payload, protected={1: "none", 4: kid}, signature=b"")),
         "UNSUPPORTED_ALGORITHM"),
        ("alg-hs256", wrap_cose(sign1(issuer, payload, protected={1: 5, 4: kid}, signature=b"\0" * 32)),
         "UNSUPPORTED_ALGORITHM"),
        ("alg-only-in-unprotected", wrap_cose(sign1(issuer, payload, protected={4: kid}, unprotected={1: -7})),
         "COSE_INVALID"),
        ("kid-swap-to-other-trusted-key",
         wrap_cose(sign1(issuer, payload, protected={1: -7, 4: kid_of(issuer_b.public_key())})), "BAD_SIGNATURE"),
        ("signed-by-stranger-claiming-issuer-kid",
         wrap_cose(sign1(issuer, green, signer=stranger)), "BAD_SIGNATURE"),
        ("signed-by-stranger-own-kid", wrap_cose(sign1(stranger, green)), "UNKNOWN_KID"),
        ("red-payload-turned-green-same-signature",
         wrap_cose(sign1(issuer, green, signature=good[3])), "BAD_SIGNATURE"),
        ("der-signature", wrap_cose(sign1(issuer, payload, signature=issuer.sign(tbs, ec.ECDSA(hashes.SHA256())))),
         "BAD_SIGNATURE"),
        ("truncated-signature", wrap_cose(sign1(issuer, payload, signature=good[3][:48])), "BAD_SIGNATURE"),
        ("empty-signature", wrap_cose(sign1(issuer, payload, signature=b"")), "BAD_SIGNATURE"),
        ("zero-signature", wrap_cose(sign1(issuer, payload, signature=b"\0" * 64)), "BAD_SIGNATURE"),
        ("deep-cbor-nesting-cose", text_of(zlib.compress(deep, 9)), "COSE_INVALID"),
        ("deep-cbor-nesting-claims", wrap_cose(sign1(issuer, deep)), "CLAIMS_INVALID"),
        ("deep-cbor-nesting-protected-header",
         wrap_cose(cbor2.dumps(cbor2.CBORTag(18, [deep, {}, payload, good[3]]))), "COSE_INVALID"),
        ("zlib-bomb-1mb", text_of(zlib.compress(b"\0" * 1_000_000, 9)), "DECOMPRESS_FAILED"),
        # Spec 4.4: a text over 8,192 characters is refused before it is decoded.
        ("text-over-8192-10mb-bomb", text_of(zlib.compress(b"\0" * 10_000_000, 9)), "BASE45_INVALID"),
        ("claims-in-a-tag", wrap_cose(sign1(issuer, cbor2.dumps(cbor2.CBORTag(24, payload)))), "CLAIMS_INVALID"),
        ("cose-sign-not-sign1-tag", wrap_cose(cbor2.dumps(cbor2.CBORTag(98, list(good)))), "COSE_INVALID"),
        ("detached-payload", wrap_cose(cbor2.dumps(cbor2.CBORTag(18, [good[0], {}, None, good[3]]))),
         "COSE_INVALID"),
    ]
    with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as f:
        for case_id, text, error in cases:
            f.write(json.dumps({"id": case_id, "payload": text, "at": AT, "error": error}) + "\n")
    print(f"{len(cases)} cases written to {HERE}")


if __name__ == "__main__":
    main()
