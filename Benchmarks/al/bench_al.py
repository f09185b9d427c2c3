#!/usr/bin/env python3
"""bench_al.py -- active learning (a study with goal: learn) vs the Sobol sequence, as simulation campaigns.

For borehole (8-D), OTL circuit (6-D) and piston (7-D), per seed: one study with `goal: learn` and one that only
continues its Sobol sequence (initial_trials = the budget), both driven through the doe CLI in batches of --batch
(suggest -> evaluate the function -> observe). At each checkpoint (100, 200, 400 simulations) the study is written
as a dump (`doe trials --format h5`), a network is trained on it (`doe train`, same settings for both) and both the
network (`doe predict MODEL`) and the study's own GP (`doe predict STUDY`) are scored on 2000 uniform test points
(RMSE in the output's units). Self-contained: python3 and doe.

  bench_al.py --doe .build/release/doe --out Benchmarks/results/al-runs.jsonl --summary Benchmarks/results/al-summary.md
"""
import argparse, csv, io, json, math, os, random, shutil, statistics, subprocess, tempfile, time

PI = math.pi


def borehole(x):
    rw, r, Tu, Hu, Tl, Hl, L, Kw = x
    lr = math.log(r / rw)
    return 2 * PI * Tu * (Hu - Hl) / (lr * (1 + 2 * L * Tu / (lr * rw * rw * Kw) + Tu / Tl))


def otl(x):
    Rb1, Rb2, Rf, Rc1, Rc2, beta = x
    vb1 = 12 * Rb2 / (Rb1 + Rb2)
    d = beta * (Rc2 + 9) + Rf
    return (vb1 + 0.74) * beta * (Rc2 + 9) / d + 11.35 * Rf / d + 0.74 * Rf * beta * (Rc2 + 9) / (d * Rc1)


def piston(x):
    M, S, V0, k, P0, Ta, T0 = x
    A = P0 * S + 19.62 * M - k * V0 / S
    V = S / (2 * k) * (math.sqrt(A * A + 4 * k * P0 * V0 * Ta / T0) - A)
    return 2 * PI * math.sqrt(M / (k + S * S * P0 * V0 * Ta / (T0 * V * V)))


PROBLEMS = {
    "borehole": (borehole, "flow", [("rw", 0.05, 0.15), ("r", 100, 50000), ("Tu", 63070, 115600), ("Hu", 990, 1110),
                                    ("Tl", 63.1, 116), ("Hl", 700, 820), ("L", 1120, 1680), ("Kw", 9855, 12045)]),
    "otl": (otl, "vm", [("Rb1", 50, 150), ("Rb2", 25, 70), ("Rf", 0.5, 3), ("Rc1", 1.2, 2.5), ("Rc2", 0.25, 1.2),
                        ("beta", 50, 300)]),
    "piston": (piston, "cycle", [("M", 30, 60), ("S", 0.005, 0.020), ("V0", 0.002, 0.010), ("k", 1000, 5000),
                                 ("P0", 90000, 110000), ("Ta", 290, 296), ("T0", 340, 360)]),
}


def run(doe, args, cwd, text=True):
    p = subprocess.run([doe] + args, cwd=cwd, capture_output=True, text=text)
    if p.returncode != 0:
        raise SystemExit(f"doe {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def space_yaml(params, metric, goal, budget):
    lines = ["parameters:"] + [f"  - {{name: {n}, type: real, low: {lo}, high: {hi}}}" for n, lo, hi in params]
    lines += [f"objectives: [{metric}]"]
    lines += ["goal: learn"] if goal == "learn" else [f"initial_trials: {budget}"]
    return "\n".join(lines) + "\n"


def rmse(predicted, truth):
    return math.sqrt(sum((p - t) ** 2 for p, t in zip(predicted, truth)) / len(truth))


def predictions(doe, target, points_csv, metric, cwd):
    out = run(doe, ["predict", target, "--input", points_csv, "--format", "csv"], cwd)
    rows = list(csv.DictReader(io.StringIO(out)))
    return [float(r[metric]) for r in rows]


def campaign(doe, problem, method, seed, budgets, batch, train, work):
    f, metric, params = PROBLEMS[problem]
    cwd = os.path.join(work, f"{problem}-{method}-{seed}")
    os.makedirs(cwd)
    with open(os.path.join(cwd, "space.yaml"), "w") as fh:
        fh.write(space_yaml(params, metric, method, max(budgets)))
    run(doe, ["init", "s", "--space", "space.yaml", "--seed", str(seed)], cwd)
    rng = random.Random(1000 + seed)
    test = [[lo + (hi - lo) * rng.random() for _, lo, hi in params] for _ in range(2000)]
    truth = [f(x) for x in test]
    with open(os.path.join(cwd, "test.csv"), "w") as fh:
        fh.write(",".join(n for n, _, _ in params) + "\n")
        for x in test:
            fh.write(",".join(repr(v) for v in x) + "\n")
    done, ask_seconds, results = 0, [], []
    for budget in sorted(budgets):
        while done < budget:
            q = min(batch, budget - done)
            t = time.perf_counter()
            out = run(doe, ["suggest", "s", "--batch", str(q), "--format", "csv"], cwd)
            ask_seconds.append(time.perf_counter() - t)
            rows = list(csv.DictReader(io.StringIO(out)))
            with open(os.path.join(cwd, "r.csv"), "w") as fh:
                fh.write(f"id,{metric}\n")
                for r in rows:
                    fh.write(f"{r['id']},{f([float(r[n]) for n, _, _ in params])!r}\n")
            run(doe, ["observe", "s", "--results", "r.csv"], cwd)
            done += q
        run(doe, ["trials", "s", "--format", "h5", "--output", f"runs{budget}.h5"], cwd)
        t = time.perf_counter()
        run(doe, ["train", f"runs{budget}.h5", "--out", f"model{budget}", "--seed", str(seed)] + train.split(), cwd)
        train_seconds = time.perf_counter() - t
        net = rmse(predictions(doe, f"model{budget}", "test.csv", metric, cwd), truth)
        gp = rmse(predictions(doe, "s", "test.csv", metric, cwd), truth)
        results.append({"problem": problem, "method": method, "seed": seed, "n": budget, "network_rmse": net, "gp_rmse": gp,
                        "train_seconds": train_seconds, "ask_seconds_median": statistics.median(ask_seconds),
                        "test_std": statistics.pstdev(truth)})
        print(json.dumps(results[-1]), flush=True)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doe", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--budgets", default="100,200,400")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--problems", default="borehole,otl,piston")
    ap.add_argument("--train", default="--hidden 64,64 --epochs 300 --ensemble 1")
    args = ap.parse_args()
    doe = os.path.abspath(args.doe)
    budgets = [int(b) for b in args.budgets.split(",")]
    work = tempfile.mkdtemp(prefix="doe-bench-al-")
    rows = []
    started = time.time()
    for problem in args.problems.split(","):
        for seed in [int(s) for s in args.seeds.split(",")]:
            for method in ("learn", "sobol"):
                rows += campaign(doe, problem, method, seed, budgets, args.batch, args.train, work)
    with open(args.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    lines = [f"make bench-al ({time.strftime('%Y-%m-%d')}, one sitting, {time.time() - started:.0f} s): seeds {args.seeds}, batches of "
             f"{args.batch}, network `doe train {args.train}` on the study's dump, 2000 uniform test points; median test RMSE "
             "(output units) and the ratio learn / Sobol", "",
             "| problem | n | network: learn | network: Sobol | ratio | study GP: learn | study GP: Sobol | ratio | ask s (learn) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for problem in args.problems.split(","):
        for n in budgets:
            def med(method, key):
                return statistics.median(r[key] for r in rows if r["problem"] == problem and r["method"] == method and r["n"] == n)
            nl, ns, gl, gs = med("learn", "network_rmse"), med("sobol", "network_rmse"), med("learn", "gp_rmse"), med("sobol", "gp_rmse")
            lines.append(f"| {problem} | {n} | {nl:.4g} | {ns:.4g} | {nl / ns:.2f} | {gl:.4g} | {gs:.4g} | {gl / gs:.2f} | "
                         f"{med('learn', 'ask_seconds_median'):.2f} |")
    with open(args.summary, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
