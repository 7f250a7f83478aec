"""The status-page check on its own: the entry loop of core/sync/pages.py, which a 10 M-entry
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


def page_payload(module: ModuleType, now: int) -> bytes:
    entries = []
    for i in range(1, PAGE + 1):
        color, reasons = (2, [103 + i % 2]) if i % 10 < 6 else ((1, [201]) if i % 10 < 9 else (0, [301]))
        entries.append([hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest(), color, reasons,
                        now - 86400 + i % 86400, i])
    payload: bytes = module.encode_status_page(0, PAGE, True, False, entries, at=now)
    return payload


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
    payload = page_payload(modules["this"], int(time.time()))
    raw = cbor2.loads(payload)["entries"]
    loops: dict[str, list[float]] = {name: [] for name in modules}
    parses: dict[str, list[float]] = {name: [] for name in modules}
    names = list(modules)
    for r in range(a.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            m = modules[name]
            loops[name].append(_ns(lambda m=m: m._entries(raw, 0, PAGE), 3))
            parses[name].append(_ns(lambda m=m: m.parse_status_page(payload, 0), 1))
    print(json.dumps({name: {"entry_loop_ns": {"min": round(min(loops[name]), 1),
                                               "median": round(statistics.median(loops[name]), 1)},
                             "whole_parse_ns": {"min": round(min(parses[name]), 1),
                                                "median": round(statistics.median(parses[name]), 1)}}
                      for name in modules}))


if __name__ == "__main__":
    main()
