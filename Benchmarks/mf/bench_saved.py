"""make bench-saved: experiments saved by a simulation prior -- BO on the high-fidelity function with the network
trained on low-fidelity simulations as the study's prior, against the same BO without it, and with a deliberately
biased low-fidelity model (its optimum moved); each problem maximized and minimized.

Problems and low-fidelity versions as in bench_mf.py (Currin, Park, Borehole; maximized). Per seed: 2000 LHS LF points
train the prior (`doe train --study`, ensemble 3); three studies of the HF function run 20 evaluations (4 Sobol, then
4 batches of q = 4; study seed 100 + seed): `prior` (the LF network as prior), `none` (no prior) and `biased` (the prior trained on
LF + 0.5·std(LF)·sin(3π·u1), u1 the first input in [0, 1]). Regret = true maximum (dense sample) − best observed.
Usage: python bench_saved.py DOE_BIN OUT_DIR [--seeds 0,1,2,3,4] [--lf 2000]
"""
import argparse, json, math, os, statistics, sys, tempfile, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mf import PROBLEMS, lhs, csv_rows, run

def true_optimum(f, bounds, sign):
    """max of sign·f: the best of 400 000 uniform samples, polished by L-BFGS-B from the 40 best (scipy)."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(123)
    lo = np.array([b[1] for b in bounds]); hi = np.array([b[2] for b in bounds])
    x = lo + rng.random((400_000, len(bounds))) * (hi - lo)
    v = sign * f(x)
    best = float(np.max(v))
    for i in np.argsort(-v)[:40]:
        r = minimize(lambda z: -sign * float(f(z[None, :])[0]), x[i], method="L-BFGS-B", bounds=list(zip(lo, hi)))
        best = max(best, -float(r.fun))
    return best

def loop(doe, work, study, space, f, names, sign, seed, evaluations=20, q=4):
    run([doe, "init", study, "--space", space, "--seed", str(100 + seed)], work)
    done = 0
    best = -math.inf
    while done < evaluations:
        text = run([doe, "suggest", study, "--batch", str(q), "--format", "csv"], work)
        lines = text.strip().split("\n")
        head = lines[0].split(",")
        ids, xs = [], []
        for l in lines[1:]:
            cells = l.split(",")
            ids.append(cells[0])
            xs.append([float(cells[head.index(n)]) for n in names])
        y = f(np.array(xs))
        best = max(best, float(np.max(sign * y)))
        open(os.path.join(work, "r.csv"), "w").write("id,y\n" + "".join(f"{i},{float(v)!r}\n" for i, v in zip(ids, y)))
        run([doe, "observe", study, "--results", "r.csv"], work)
        done += q
    return best

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doe"); ap.add_argument("out")
    ap.add_argument("--seeds", default="0,1,2,3,4"); ap.add_argument("--lf", type=int, default=2000)
    a = ap.parse_args()
    doe = os.path.abspath(a.doe)
    os.makedirs(a.out, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    rows = []
    started = time.time()
    for name, (bounds, hf, lf, _, _) in PROBLEMS.items():
      for direction, sign in (("maximize", 1.0), ("minimize", -1.0)):
        names = [b[0] for b in bounds]
        opt = true_optimum(hf, bounds, sign)
        params = "".join(f"  - {{name: {n}, type: real, low: {lo}, high: {hi}}}\n" for n, lo, hi in bounds)
        base = "parameters:\n" + params + f"objectives: [{{name: y, direction: {direction}}}]\ninitial_trials: 4\n"
        for seed in seeds:
            work = tempfile.mkdtemp(prefix=f"doe-saved-{name}-{seed}-")
            rng = np.random.default_rng(seed)
            xlf = lhs(a.lf, bounds, rng)
            ylf = lf(xlf)
            lo = np.array([b[1] for b in bounds]); hi = np.array([b[2] for b in bounds])
            u1 = (xlf[:, 0] - lo[0]) / (hi[0] - lo[0])
            ybiased = ylf + 0.5 * np.std(ylf) * np.sin(3 * math.pi * u1)
            open(os.path.join(work, "sim.yaml"), "w").write(base.replace("initial_trials: 4", "initial_trials: 1"))
            for model, y in (("sim", ylf), ("biased", ybiased)):
                open(os.path.join(work, f"{model}.csv"), "w").write(csv_rows(names, xlf, y))
                run([doe, "init", model, "--space", "sim.yaml", "--seed", "1"], work)
                run([doe, "observe", model, "--results", f"{model}.csv"], work)
                run([doe, "train", "--study", model, "--out", f"models/{model}", "--ensemble", "3"], work)
            open(os.path.join(work, "none.yaml"), "w").write(base)
            open(os.path.join(work, "prior.yaml"), "w").write(base + "prior: {model: models/sim, outputs: {y: y}}\n")
            open(os.path.join(work, "biased.yaml"), "w").write(base + "prior: {model: models/biased, outputs: {y: y}}\n")
            result = {"problem": name, "direction": direction, "seed": seed, "true_optimum": sign * opt}
            for study in ("none", "prior", "biased"):
                best = loop(doe, work, "bo-" + study, study + ".yaml", hf, names, sign, seed)
                result[study] = max(0.0, opt - best)
            rows.append(result)
            print(json.dumps(result), flush=True)
    with open(os.path.join(a.out, "saved-runs.jsonl"), "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    lines = [f"make bench-saved ({time.strftime('%Y-%m-%d')}, one sitting, {time.time() - started:.0f} s): regret after 20 HF "
             f"evaluations (4 Sobol + 4 batches of q = 4), median [min, max] over seeds {a.seeds}; prior from {a.lf} LF points", "",
             "| problem | direction | no prior | LF network prior | ratio | biased LF prior | ratio |", "|---|---|---|---|---|---|---|"]
    for name, direction in [(p, d) for p in PROBLEMS for d in ("maximize", "minimize")]:
        r = [x for x in rows if x["problem"] == name and x["direction"] == direction]
        def cell(k):
            v = [x[k] for x in r]
            return statistics.median(v), f"{statistics.median(v):.4g} [{min(v):.3g}, {max(v):.3g}]"
        (n, ns), (p, ps), (b, bs) = cell("none"), cell("prior"), cell("biased")
        lines.append(f"| {name} | {direction} | {ns} | {ps} | {p / n if n > 0 else float('nan'):.2f} | {bs} | {b / n if n > 0 else float('nan'):.2f} |")
    text = "\n".join(lines) + "\n"
    open(os.path.join(a.out, "saved-summary.md"), "w").write(text)
    print(text)

if __name__ == "__main__":
    main()
