"""Measure each escalation attempt on the images the first pass cannot read, and order them.

    taskset -c 0 python -m bench.scan.ladder --data DIR

For every first-pass failure it runs every whole-frame attempt of
checkpoint_app.core.scanning.attempts (plus zbar on the whole frame for comparison), then
orders them greedily: next is the attempt that recovers most still-unread images per
millisecond of median cost. That order is the one full_frame_ladder() uses."""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.core.scanning.attempts import Attempt, full_frame_ladder
from checkpoint_app.core.scanning.decoders import zxing
from checkpoint_app.core.scanning.preprocess import to_gray


def candidates() -> list[Attempt]:
    return [*full_frame_ladder(), Attempt("zbar", lambda g: g, library="zbar")]


def measure(data: Path) -> tuple[dict[str, set[str]], dict[str, list[float]], dict[str, str]]:
    wins: dict[str, set[str]] = defaultdict(set)
    cost: dict[str, list[float]] = defaultdict(list)
    cell_of: dict[str, str] = {}
    attempts = candidates()
    for line in (data / "truth.jsonl").read_text().splitlines():
        rec = json.loads(line)
        truth = set(rec["codes"])
        if not truth:
            continue
        gray = to_gray(cv2.imread(str(data / rec["file"])))
        if truth <= {h.text for h in zxing(gray) if h.text}:
            continue
        cell_of[rec["file"]] = rec["file"].rsplit("-", 2)[0]
        for a in attempts:
            start = time.perf_counter()
            got = {h.text for h in a.run(gray) if h.text}
            cost[a.name].append((time.perf_counter() - start) * 1000)
            if truth <= got:
                wins[a.name].add(rec["file"])
    return wins, cost, cell_of


def greedy(wins: dict[str, set[str]], cost: dict[str, list[float]]) -> list[tuple[str, int, float]]:
    left, order, covered = set(wins) | set(cost), [], set()
    while left:
        best = max(left, key=lambda n: len(wins[n] - covered) / max(np.median(cost[n]), 0.1))
        order.append((best, len(wins[best] - covered), float(np.median(cost[best]))))
        covered |= wins[best]
        left.remove(best)
    return order


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    wins, cost, cell_of = measure(args.data)
    print(f"first-pass failures: {len(cell_of)}")
    print("| attempt | newly recovered | median ms | recovers (any order) |\n|---|---:|---:|---:|")
    for name, new, ms in greedy(wins, cost):
        print(f"| {name} | {new} | {ms:.1f} | {len(wins[name])} |")
    per_cell: dict[str, list[str]] = defaultdict(list)
    for name, files in wins.items():
        for f in files:
            per_cell[cell_of[f]].append(name)
    for cell in sorted(per_cell):
        counts = {n: per_cell[cell].count(n) for n in sorted(set(per_cell[cell]))}
        print(cell, counts)


if __name__ == "__main__":
    main()
