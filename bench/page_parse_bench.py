"""The status-page check on its own: the entry loop of core/status_pages.py, which a 10 M-entry
full sync runs ten million times (spec 4.3, 4.4).

    .venv/bin/python bench/page_parse_bench.py [--against ../other-checkout] [--rounds 60]

Times, on one 10,000-entry page (the server's page size) that is CBOR-decoded once, the
entry loop (`_entries`) and the whole `parse_status_page` (decode included). With
`--against`, the same is timed for that checkout's pages.py, interleaved round by round so
that load from other work falls on both alike. Prints one JSON object: per checkout, the
minimum and the median over the rounds in nanoseconds per entry."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import json
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import cbor2

ROOT = Path(__file__).resolve().parent.parent
PAGE = 10_000


def load(name: str, checkout: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, checkout / "checkpoint_app" / "core" / "sync" / "pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def page_payload(now: int) -> bytes:
    """A version 1.1 page (a checkout of version 1.0 ignores the fields it does not know)."""
    entries = []
    for i in range(1, PAGE + 1):
        color, reasons = (2, [103 + i % 2]) if i % 10 < 6 else ((1, [201]) if i % 10 < 9 else (0, [301]))
        entries.append([hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest(), color, reasons,
                        now - 86400 + i % 86400, i])
    return cbor2.dumps({"type": "status", "from": 0, "to": PAGE, "more": True, "reset": False, "at": now,
                        "epoch": b"\x0e" * 8, "trust_serial": 1, "policy_serial": 1, "entries": entries})


def calls(module: ModuleType, payload: bytes, raw: list[Any], now: int) -> tuple[Any, Any]:
    """The entry loop and the whole parse of a checkout, in its pages.py's signature."""
    if "skew_s" in inspect.signature(module.parse_status_page).parameters:  # version 1.1
        return (lambda: module._entries(raw, 0, PAGE, now + 300),
                lambda: module.parse_status_page(payload, 0, skew_s=300))
    return lambda: module._entries(raw, 0, PAGE), lambda: module.parse_status_page(payload, 0)


def _ns(fn: Any, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / (repeat * PAGE) * 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--against", type=Path, help="another checkout whose pages.py to time beside this one")
    p.add_argument("--rounds", type=int, default=60)
    a = p.parse_args()
    modules = {"this": load("pages_this", ROOT)}
    if a.against:
        modules["against"] = load("pages_against", a.against.resolve())
    now = int(time.time())
    payload = page_payload(now)
    raw = cbor2.loads(payload)["entries"]
    timed = {name: calls(m, payload, raw, now) for name, m in modules.items()}
    loops: dict[str, list[float]] = {name: [] for name in modules}
    parses: dict[str, list[float]] = {name: [] for name in modules}
    names = list(modules)
    for r in range(a.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            loop, parse = timed[name]
            loops[name].append(_ns(loop, 3))
            parses[name].append(_ns(parse, 1))
    print(json.dumps({name: {"entry_loop_ns": {"min": round(min(loops[name]), 1),
                                               "median": round(statistics.median(loops[name]), 1)},
                             "whole_parse_ns": {"min": round(min(parses[name]), 1),
                                                "median": round(statistics.median(parses[name]), 1)}}
                      for name in modules}))


if __name__ == "__main__":
    main()
