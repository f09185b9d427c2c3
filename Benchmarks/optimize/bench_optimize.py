#!/usr/bin/env python3
"""bench_optimize.py -- doe optimize on a borehole surrogate vs the true borehole function's maximum.

Trains an ensemble on studies/surrogates/borehole.h5 (6000 runs of the borehole function), searches it with
`doe optimize --maximize flow` (with the trust limit, and with --no-trust), evaluates the true borehole function at
each returned design and reports the gap to the true maximum over the dump's box (309.5756 at rw = 0.15, r = 100,
Hu = 1110, Hl = 700, L = 1120, Kw = 12045, Tu and Tl at their highs) and the wall time of the whole `doe optimize`
process (median of 3). Self-contained: python3 and doe.

  bench_optimize.py --doe .build/release/doe --out Benchmarks/results/optimize.json
"""
import argparse, json, math, os, statistics, subprocess, tempfile, time

BOUNDS = {"rw": (0.05, 0.15), "r": (100, 50000), "Tu": (63070, 115600), "Hu": (990, 1110), "Tl": (63.1, 116),
          "Hl": (700, 820), "L": (1120, 1680), "Kw": (9855, 12045)}


def borehole(rw, r, Tu, Hu, Tl, Hl, L, Kw):
    lr = math.log(r / rw)
    return 2 * math.pi * Tu * (Hu - Hl) / (lr * (1 + 2 * L * Tu / (lr * rw * rw * Kw) + Tu / Tl))


TRUE_MAX = borehole(0.15, 100, 115600, 1110, 116, 700, 1120, 12045)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doe", required=True)
    ap.add_argument("--dump", default="studies/surrogates/borehole.h5")
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", default="--hidden 64,64 --epochs 300 --batch-size 64 --ensemble 5")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="doe-bench-optimize-")
    model = os.path.join(work, "borehole")
    t0 = time.perf_counter()
    subprocess.run([args.doe, "train", args.dump, "--out", model] + args.train.split(), check=True, capture_output=True)
    train_s = time.perf_counter() - t0
    rows = []
    for label, extra in [("trust limit (k = 2)", []), ("--no-trust", ["--no-trust"])]:
        times, result = [], None
        for _ in range(3):
            t = time.perf_counter()
            p = subprocess.run([args.doe, "optimize", model, "--maximize", "flow", "--format", "json"] + extra,
                               check=True, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            result = json.loads(p.stdout)
        best = result["candidates"][0]
        true_values = [borehole(**c["inputs"]) for c in result["candidates"]]
        rows.append({"search": label, "seconds_median": statistics.median(times), "seconds": times,
                     "predicted": best["outputs"]["flow"], "predicted_std": best.get("std", {}).get("flow"),
                     "true_at_best": true_values[0], "gap_percent": 100 * (TRUE_MAX - true_values[0]) / TRUE_MAX,
                     "best_true_of_candidates": max(true_values), "inputs": best["inputs"],
                     "screened": result["screened"], "optimizations": result["optimizations"]})
    out = {"true_max": TRUE_MAX, "train": args.train, "train_seconds": train_s, "rows": rows}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    lines = [f"true maximum {TRUE_MAX:.4f}; model trained in {train_s:.1f} s ({args.train})", "",
             "| search | predicted flow at rank 1 | true flow there | gap to the true max | best true of the 5 | "
             "doe optimize wall time (median of 3) |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['search']} | {r['predicted']:.2f} ± {r['predicted_std'] or 0:.2f} | {r['true_at_best']:.2f} | "
                     f"{r['gap_percent']:.2f} % | {r['best_true_of_candidates']:.2f} | {r['seconds_median']:.3f} s |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.splitext(args.out)[0] + "-summary.md", "w") as f:
        f.write(text)

if __name__ == "__main__":
    main()
