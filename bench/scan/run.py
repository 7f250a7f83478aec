"""Robustness benchmark: raw zxing-cpp, raw zbar, raw OpenCV and our pipeline on the same images.

    taskset -c 0 python -m bench.scan.run [--data DIR] [--per-cell N] [--json OUT]

With --data it reads the PNGs + truth.jsonl that `bench.scan.generate` wrote; otherwise it
renders the images in memory. Success = every code in the image read; a misread = any
text that is not in the image; a false positive = any text read from a negative image."""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from checkpoint_app.core.scanning.decoders import opencv, zbar, zxing
from checkpoint_app.core.scanning.pipeline import ScanPipeline
from checkpoint_app.core.scanning.preprocess import to_gray

Decoder = Callable[[np.ndarray], set[str]]


def decoders() -> dict[str, Decoder]:
    # Budget in this thread's CPU time: the machine is shared, and a neighbour's burst must not
    # decide which attempts fit. The reported ms are wall-clock, measured around the call.
    pipe = ScanPipeline(clock=time.thread_time)

    def ours(img: np.ndarray) -> set[str]:
        pipe.reset()  # independent stills: no tracking or fusion across them
        return set(pipe.decode(img, 0.0).texts)

    return {
        "zxing-cpp": lambda img: {h.text for h in zxing(to_gray(img)) if h.text},
        "zbar": lambda img: {h.text for h in zbar(to_gray(img)) if h.text},
        "opencv": lambda img: {h.text for h in opencv(to_gray(img)) if h.text},
        "pipeline": ours,
    }


def samples(data: Path | None, per_cell: int) -> Iterator[tuple[str, str, tuple[str, ...], np.ndarray]]:
    """(cell key 'category/sN', size, truth, image)."""
    if data is None:
        from bench.scan.generate import all_samples

        for s in all_samples(per_cell):
            yield f"{s.category}/s{s.severity}", s.size, s.truth, s.image
        return
    for line in (data / "truth.jsonl").read_text().splitlines():
        rec = json.loads(line)
        cat, sev, size, _ = rec["file"][:-4].rsplit("-", 3)
        yield f"{cat}/{sev}", size, tuple(rec["codes"]), cv2.imread(str(data / rec["file"]))


def run(data: Path | None, per_cell: int) -> dict[str, dict[str, dict[str, list[float]]]]:
    """stats[decoder][cell or 'size:WxH'] -> lists of ok (0/1), misread count, fp, ms."""
    decs = decoders()
    stats: dict[str, dict[str, dict[str, list[float]]]] = {
        n: defaultdict(lambda: defaultdict(list)) for n in decs}
    for cell, size, truth, image in samples(data, per_cell):
        for name, dec in decs.items():
            start, cpu = time.perf_counter(), time.thread_time()
            got = dec(image)
            ms = (time.perf_counter() - start) * 1000
            cpu_ms = (time.thread_time() - cpu) * 1000
            st = stats[name]
            ok = float(set(truth) <= got) if truth else float(not got)
            for key in (cell, f"size:{size}"):
                st[key]["ok"].append(ok)
                st[key]["misread"].append(float(len(got - set(truth)) if truth else 0))
                st[key]["fp"].append(float(bool(got)) if not truth else 0.0)
                st[key]["ms"].append(ms)
                st[key]["cpu"].append(cpu_ms)
                st[key]["positive"].append(float(bool(truth)))
    return stats


def report(stats: dict[str, dict[str, dict[str, list[float]]]]) -> str:
    names = list(stats)
    cells = sorted(k for k in stats[names[0]] if not k.startswith("size:"))
    lines = ["| category / severity | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for cell in cells:
        n = len(stats[names[0]][cell]["ok"])
        lines.append(f"| {cell} | {n} | " + " | ".join(f"{100 * np.mean(stats[d][cell]['ok']):.0f}%" for d in names)
                     + " |")
    lines.append("")
    lines.append("| category (all severities) | n | " + " | ".join(names) + " | pipeline >= every library |")
    lines.append("|---|---:|" + "---:|" * len(names) + "---|")
    for cat in sorted({c.split("/")[0] for c in cells}):
        rates = {d: np.mean([ok for c in cells if c.split("/")[0] == cat for ok in stats[d][c]["ok"]]) for d in names}
        n = sum(len(stats[names[0]][c]["ok"]) for c in cells if c.split("/")[0] == cat)
        best_raw = max(v for d, v in rates.items() if d != "pipeline")
        lines.append(f"| {cat} | {n} | " + " | ".join(f"{100 * rates[d]:.1f}%" for d in names)
                     + f" | {'yes' if rates.get('pipeline', 0) >= best_raw else 'NO'} |")
    lines.append("")
    lines.append("| decoder | success (positives) | misreads | false positives | "
                 "640x480 median / p95 ms (wall; CPU) | 1280x720 median / p95 ms (wall; CPU) |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for d in names:
        pos = [ok for c in cells if not c.startswith("negative") for ok in stats[d][c]["ok"]]
        mis = sum(sum(stats[d][c]["misread"]) for c in cells)
        fp = sum(sum(stats[d][c]["fp"]) for c in cells)
        timing = []
        for size in ("640x480", "1280x720"):
            cell = stats[d].get(f"size:{size}", {})
            ms, cpu = cell.get("ms", [float("nan")]), cell.get("cpu", [float("nan")])
            timing.append(f"{np.median(ms):.1f} / {np.percentile(ms, 95):.1f}; "
                          f"{np.median(cpu):.1f} / {np.percentile(cpu, 95):.1f}")
        rate = f"{100 * np.mean(pos):.1f}% ({sum(pos):.0f}/{len(pos)})"
        lines.append(f"| {d} | {rate} | {mis:.0f} | {fp:.0f} | {timing[0]} | {timing[1]} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, help="folder written by bench.scan.generate (default: render in memory)")
    ap.add_argument("--per-cell", type=int, default=22, help="images per category/severity/size when rendering")
    ap.add_argument("--json", type=Path, help="also write the raw per-cell figures here")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    stats = run(args.data, args.per_cell)
    print(report(stats))
    if args.json:
        args.json.write_text(json.dumps({d: {k: {m: v for m, v in s.items()} for k, s in st.items()}
                                         for d, st in stats.items()}))


if __name__ == "__main__":
    main()
