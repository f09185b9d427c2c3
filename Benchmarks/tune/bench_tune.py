#!/usr/bin/env python3
"""bench_tune.py -- `doe train --tune N` against doe train's default settings on the same dump, same split.

Trains the default configuration (`doe train DUMP --fields F`) and the tuned one (`doe train DUMP --fields F --tune N`,
a fresh tuning study each run), both with the same seed (so the same train/validation/test split), and reports the
test-split RMSE of every output (metrics.json), the best tuning trial's settings, the time per tuning trial (from the
tuning study's journal) and the wall time of both commands. Self-contained: python3 and doe.

  bench_tune.py --doe .build/release/doe --dump studies/surrogates/plate.h5 --fields /fields/uy --trials 20 \
      --out Benchmarks/results/tune.json --summary Benchmarks/results/tune-summary.md
"""
import argparse, json, os, shutil, statistics, subprocess, tempfile, time


def train(doe, args, cwd):
    t = time.perf_counter()
    p = subprocess.run([doe, "train"] + args, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"doe train {' '.join(args)} failed: {p.stderr}")
    return time.perf_counter() - t, p.stderr


def rmse(model_dir):
    metrics = json.load(open(os.path.join(model_dir, "metrics.json")))
    test = metrics.get("test") or metrics.get("test_metrics") or metrics
    rows = test if isinstance(test, list) else test.get("outputs", test)
    if isinstance(rows, dict):
        return {k: v["rmse"] for k, v in rows.items() if isinstance(v, dict) and "rmse" in v}
    return {r["name"]: r["rmse"] for r in rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doe", required=True)
    ap.add_argument("--dump", default="studies/surrogates/plate.h5")
    ap.add_argument("--fields", default="/fields/uy")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--extra", default="", help="options given to both runs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary", required=True)
    args = ap.parse_args()
    doe, dump = os.path.abspath(args.doe), os.path.abspath(args.dump)
    work = tempfile.mkdtemp(prefix="doe-bench-tune-")
    common = [dump] + (["--fields", args.fields] if args.fields else []) + args.extra.split()
    default_s, _ = train(doe, common + ["--out", "default"], work)
    tuned_s, log = train(doe, common + ["--out", "tuned", "--tune", str(args.trials), "--tune-study", "tuning"], work)
    default, tuned = rmse(os.path.join(work, "default")), rmse(os.path.join(work, "tuned"))
    journal = [json.loads(l) for l in open(os.path.join(work, "studies", "tuning", "journal.jsonl"))]
    per_trial = [r["meta"]["seconds"] for r in journal if r["op"] == "trial_observed"]
    summary_line = [l for l in log.splitlines() if l.startswith("tuning study")][-1]
    out = {"dump": args.dump, "trials": args.trials, "default_rmse": default, "tuned_rmse": tuned,
           "default_seconds": default_s, "tuned_seconds": tuned_s, "trial_seconds": per_trial, "tuning": summary_line}
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    lines = [f"make bench-tune ({time.strftime('%Y-%m-%d')}, one sitting): `doe train {os.path.basename(args.dump)}"
             f"{' --fields ' + args.fields if args.fields else ''}` with the default settings vs `--tune {args.trials}`, "
             "same seed and split; test-split RMSE", "",
             "| output | default | tuned | tuned / default |", "|---|---|---|---|"]
    for k in default:
        lines.append(f"| {k} | {default[k]:.4g} | {tuned.get(k, float('nan')):.4g} | {tuned.get(k, float('nan')) / default[k]:.2f} |")
    lines += ["", f"time per tuning trial: median {statistics.median(per_trial):.2f} s, max {max(per_trial):.2f} s "
              f"({len(per_trial)} trials); whole runs: default {default_s:.1f} s, tuned {tuned_s:.1f} s", "", summary_line]
    with open(args.summary, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
