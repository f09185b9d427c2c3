#!/usr/bin/env python3
"""bench_bo.py -- doe's Bayesian-optimization benchmark, self-contained (python3 + the doe binary).

Protocol (the one ../shared/bench/README.md describes for the peers): minimization on the unit cube,
7 problems (problems.py), batch q = 4, budget 30 evaluations for d = 2 and 60 otherwise, the same
2d+2 scrambled-Sobol initial design for every model-based method, here imported into doe with the
`params` form of `doe observe --results`; regret = true f(x with the lowest observed y) - f*.
Everything runs through doe's CLI in fresh studies, exactly as a user's script would.

Ask timing: 200 uniform-random hartmann6 observations imported, then one `doe suggest --batch 8`
timed as a whole process (median of --timing-reps).

  bench_bo.py --doe .build/release/doe --seeds 0-4 --out Benchmarks/results/bo-doe.json
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from problems import PROBLEMS  # noqa: E402


def seeds(text):
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def sobol_init(doe, dim, n, seed, workdir):
    space = os.path.join(workdir, "init-space.json")
    with open(space, "w") as f:
        json.dump([{"name": f"x{i}", "type": "real", "low": 0, "high": 1} for i in range(dim)], f)
    out = subprocess.run([doe, "design", space, "--method", "sobol", "-n", str(n), "--seed", str(1000 + seed),
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    return [[row[f"x{i}"] for i in range(dim)] for row in json.loads(out)["design"]]


class Study:
    def __init__(self, doe, dim, seed, workdir, acquisition=None):
        self.doe, self.dim, self.dir = doe, dim, os.path.join(workdir, "studies")
        self.names = [f"x{i}" for i in range(dim)]
        self.acquisition = acquisition
        space = os.path.join(workdir, "space.json")
        with open(space, "w") as f:
            json.dump([{"name": k, "type": "real", "low": 0, "high": 1} for k in self.names], f)
        self.run("init", "s", "--space", space, "--seed", str(seed))
        self.results = os.path.join(workdir, "results.json")

    def run(self, *args):
        return subprocess.run([self.doe, *args, "--dir", self.dir], check=True, capture_output=True, text=True).stdout

    def import_results(self, points, values):
        with open(self.results, "w") as f:
            json.dump({"results": [{"params": dict(zip(self.names, p)), "value": v} for p, v in zip(points, values)]}, f)
        self.run("observe", "s", "--results", self.results)

    def suggest(self, q):
        args = ["suggest", "s", "--batch", str(q), "--json"]
        if self.acquisition:
            args += ["--acquisition", self.acquisition]
        trials = json.loads(self.run(*args))["trials"]
        self.generators = getattr(self, "generators", {})
        for t in trials:
            self.generators[t["generator"]] = self.generators.get(t["generator"], 0) + 1
            info = t.get("generator_info") or {}
            if info.get("noise_ratio") is not None:
                self.noise_ratios = getattr(self, "noise_ratios", []) + [round(info["noise_ratio"], 4)]
        return [t["id"] for t in trials], [[t["params"][k] for k in self.names] for t in trials]

    def observe(self, ids, values):
        with open(self.results, "w") as f:
            json.dump({"results": [{"id": i, "value": v} for i, v in zip(ids, values)]}, f)
        self.run("observe", "s", "--results", self.results)


def run_one(doe, problem, seed, q, budget, acquisition):
    rng = random.Random(seed * 7919 + 17)
    with tempfile.TemporaryDirectory() as workdir:
        study = Study(doe, problem.dim, seed, workdir, acquisition)
        n_init = 2 * problem.dim + 2
        x0 = sobol_init(doe, problem.dim, n_init, seed, workdir)
        y0 = [problem.observe(x, rng) for x in x0]
        study.import_results(x0, y0)
        observed = list(zip(y0, [problem.true(x) for x in x0]))
        asks = []
        while len(observed) < budget:
            n = min(q, budget - len(observed))
            t0 = time.perf_counter()
            ids, xs = study.suggest(n)
            asks.append(time.perf_counter() - t0)
            ys = [problem.observe(x, rng) for x in xs]
            study.observe(ids, ys)
            observed += list(zip(ys, [problem.true(x) for x in xs]))
        best_true = min(observed)[1]
        return {"problem": problem.name, "method": "doe", "seed": seed, "final_regret": best_true - problem.fstar,
                "ask_s": asks, "budget": budget, "q": q, "generators": getattr(study, "generators", {}),
                "noise_ratios": getattr(study, "noise_ratios", [])}


def ask_timing(doe, reps, n_prior=200, q=8):
    problem = PROBLEMS["hartmann6"]
    times = []
    for r in range(reps):
        rng = random.Random(r)
        with tempfile.TemporaryDirectory() as workdir:
            study = Study(doe, problem.dim, r, workdir)
            xs = [[rng.random() for _ in range(problem.dim)] for _ in range(n_prior)]
            study.import_results(xs, [problem.true(x) for x in xs])
            t0 = time.perf_counter()
            study.suggest(q)
            times.append(time.perf_counter() - t0)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doe", default=".build/release/doe")
    ap.add_argument("--problems", default="all")
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--q", type=int, default=4)
    ap.add_argument("--acquisition", default=None)
    ap.add_argument("--timing-reps", type=int, default=5)
    ap.add_argument("--out", default="Benchmarks/results/bo-doe.json")
    args = ap.parse_args()
    names = list(PROBLEMS) if args.problems == "all" else args.problems.split(",")
    runs = []
    for name in names:
        problem = PROBLEMS[name]
        budget = 30 if problem.dim == 2 else 60
        for seed in seeds(args.seeds):
            rec = run_one(args.doe, problem, seed, args.q, budget, args.acquisition)
            print(f"{name:16s} seed={seed} final_regret={rec['final_regret']:.4g} "
                  f"ask_med={statistics.median(rec['ask_s']):.3f}s {rec['generators']}", flush=True)
            runs.append(rec)
    timing = ask_timing(args.doe, args.timing_reps) if args.timing_reps > 0 else []
    if timing:
        print(f"ask timing (hartmann6, 200 prior, q=8): median {statistics.median(timing):.3f}s "
              f"(min {min(timing):.3f}, max {max(timing):.3f})")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"runs": runs, "ask_timing_s": timing}, f, indent=1)
    print("\nmedian final regret over seeds:")
    for name in names:
        values = sorted(r["final_regret"] for r in runs if r["problem"] == name)
        print(f"  {name:16s} {statistics.median(values):.4g}")


if __name__ == "__main__":
    main()
