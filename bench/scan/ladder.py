"""Choose the escalation order by replaying measured attempts under the frame budget.

    taskset -c 1 python -m bench.scan.ladder --data DIR [--data DIR2 ...] [--budget-ms 28]

1. For every image the first pass cannot read, find the regions the pipeline would use and
   run every attempt of attempts.catalogue() on each region (roi-*) or the whole frame,
   recording its time and what it read.
2. Replay any order offline: attempts run in order while the measured times fit in the
   budget. Greedy forward selection adds the attempt that recovers most images.
3. Honesty check: choose on the even-numbered images, score on the odd ones against the
   order in attempts.ORDER. The printed order is what ORDER should be."""

from __future__ import annotations

import argparse
import json
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from checkpoint_app.core.scanning import preprocess as pp
from checkpoint_app.core.scanning.attempts import ORDER, catalogue
from checkpoint_app.core.scanning.decoders import zxing
from checkpoint_app.core.scanning.locate import texture_regions


@dataclass
class Record:
    file: str
    truth: set[str]
    start_ms: float  # first pass + locating
    regions: int
    results: dict[tuple[str, int], tuple[float, set[str]]] = field(default_factory=dict)


def record(folders: list[Path]) -> list[Record]:
    attempts = catalogue()
    out = []
    for data, line in ((d, line) for d in folders for line in (d / "truth.jsonl").read_text().splitlines()):
        rec = json.loads(line)
        truth = set(rec["codes"])
        if not truth:
            continue
        gray = pp.to_gray(cv2.imread(str(data / rec["file"])))
        start = time.thread_time()
        hits = zxing(gray, errors=True)
        if truth <= {h.text for h in hits if h.text}:
            continue
        rois = [h.corners for h in hits if h.text is None] or texture_regions(gray)
        r = Record(rec["file"], truth, (time.thread_time() - start) * 1000, len(rois))
        crops = [pp.crop(gray, c)[0] for c in rois]
        for a in attempts.values():
            targets = list(enumerate(crops)) if a.name.startswith("roi-") else [(-1, gray)]
            for k, img in targets:
                if img.size:
                    t0 = time.thread_time()
                    got = {h.text for h in a.for_image(img.shape).run(img) if h.text}
                    r.results[(a.name, k)] = ((time.thread_time() - t0) * 1000, got)
        out.append(r)
    return out


def replay(order: list[str] | tuple[str, ...], recs: list[Record], budget: float) -> int:
    return sum(_one(order, r, budget) for r in recs)


def _one(order: list[str] | tuple[str, ...], r: Record, budget: float) -> bool:
    t, found = r.start_ms, set()
    for name in order:
        for key in [(name, k) for k in range(r.regions)] if name.startswith("roi-") else [(name, -1)]:
            if key in r.results and t + r.results[key][0] <= budget:
                t += r.results[key][0]
                found |= r.results[key][1]
                if r.truth <= found:
                    return True
    return False


def greedy(recs: list[Record], budget: float) -> list[str]:
    names = sorted({n for r in recs for n, _ in r.results})
    order: list[str] = []
    best = replay(order, recs, budget)
    while True:
        scored = [(replay([*order, n], recs, budget), n) for n in names if n not in order]
        if not scored or max(scored)[0] <= best:
            return order
        best, name = max(scored)
        order.append(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, action="append", default=[], help="repeatable")
    ap.add_argument("--budget-ms", type=float, default=28.0, help="the 30 ms frame budget less a safety margin")
    ap.add_argument("--records", type=Path, help="keep the measurements here (pickle); reused when it exists")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.records and args.records.exists():
        recs = pickle.loads(args.records.read_bytes())
    else:
        recs = record(args.data)
        if args.records:
            args.records.write_bytes(pickle.dumps(recs))
    even = [r for r in recs if int(r.file[-7:-4]) % 2 == 0]
    odd = [r for r in recs if int(r.file[-7:-4]) % 2 == 1]
    chosen = greedy(even, args.budget_ms)
    print(f"first-pass failures: {len(recs)}")
    print(f"held-out half ({len(odd)}): order chosen on the other half recovers {replay(chosen, odd, args.budget_ms)}, "
          f"attempts.ORDER recovers {replay(ORDER, odd, args.budget_ms)}")
    order = greedy(recs, args.budget_ms)
    print(f"all: greedy order recovers {replay(order, recs, args.budget_ms)}, "
          f"attempts.ORDER {replay(ORDER, recs, args.budget_ms)}")
    print("order:", ", ".join(order))


if __name__ == "__main__":
    main()
