"""make bench-mf: multi-fidelity accuracy of doe's simulation prior vs SMT's MFK, same points, one sitting.

For each problem (Currin 2-D, Park 4-D, Borehole 8-D, their standard low-fidelity versions) and seed: an LHS of
n_lf low-fidelity points, n_hf high-fidelity points nested in it, 1000 uniform test points. Methods:
  mfk      SMT MFK (AR1: y_hi = rho * y_lo + delta) on both sets
  krg_hf   SMT kriging on the HF points alone
  doe      doe: a surrogate trained on the LF points (doe train --study, ensemble 3) named as the prior of a study
           holding the HF points; test predictions by `doe predict STUDY`
  doe_study doe: the study of the LF runs itself named as the prior (prior: {study: sim}): the GP of the LF runs is s(x)
  doe_hf   doe's GP on the HF points alone (the same study without the prior)
Prints a markdown table of median test RMSE [min, max] over the seeds and writes per-run JSON lines.
Usage: python bench_mf.py DOE_BIN OUT_DIR [--seeds 0,1,2,3,4] [--large 2000] [--mfk-max 500]
"""
import argparse, json, math, os, subprocess, sys, tempfile, time
import numpy as np

def currin_hf(x):
    x1, x2 = x[:, 0], x[:, 1]
    with np.errstate(divide="ignore"):
        factor = np.where(x2 > 0, 1 - np.exp(-1 / (2 * np.maximum(x2, 1e-300))), 1.0)
    return factor * (2300 * x1**3 + 1900 * x1**2 + 2092 * x1 + 60) / (100 * x1**3 + 500 * x1**2 + 4 * x1 + 20)

def currin_lf(x):
    def shifted(a, b):
        return currin_hf(np.column_stack([a, b]))
    x1, x2 = x[:, 0], x[:, 1]
    lo = np.maximum(0, x2 - 0.05)
    return 0.25 * (shifted(x1 + 0.05, x2 + 0.05) + shifted(x1 + 0.05, lo) + shifted(x1 - 0.05, x2 + 0.05) + shifted(x1 - 0.05, lo))

def park_hf(x):
    x1, x2, x3, x4 = x.T
    return x1 / 2 * (np.sqrt(1 + (x2 + x3**2) * x4 / x1**2) - 1) + (x1 + 3 * x4) * np.exp(1 + np.sin(x3))

def park_lf(x):
    x1, x2, x3, _ = x.T
    return (1 + np.sin(x1) / 10) * park_hf(x) - 2 * x1 + x2**2 + x3**2 + 0.5

BOREHOLE = [("rw", 0.05, 0.15), ("r", 100, 50000), ("Tu", 63070, 115600), ("Hu", 990, 1110), ("Tl", 63.1, 116),
            ("Hl", 700, 820), ("L", 1120, 1680), ("Kw", 9855, 12045)]

def borehole(x, a, b):
    rw, r, tu, hu, tl, hl, l, kw = x.T
    lg = np.log(r / rw)
    return a * tu * (hu - hl) / (lg * (b + 2 * l * tu / (lg * rw**2 * kw) + tu / tl))

PROBLEMS = {
    "currin": ([("x1", 0, 1), ("x2", 0, 1)], currin_hf, currin_lf, 12, 5),
    "park": ([("x1", 0.01, 1), ("x2", 0, 1), ("x3", 0, 1), ("x4", 0, 1)], park_hf, park_lf, 30, 5),
    "borehole": (BOREHOLE, lambda x: borehole(x, 2 * math.pi, 1.0), lambda x: borehole(x, 5.0, 1.5), 60, 5),
}

def lhs(n, bounds, rng):
    d = len(bounds)
    u = (np.argsort(rng.random((n, d)), axis=0) + rng.random((n, d))) / n
    lo = np.array([b[1] for b in bounds]); hi = np.array([b[2] for b in bounds])
    return lo + u * (hi - lo)

def csv_rows(names, x, y=None):
    head = ",".join(names + (["y"] if y is not None else []))
    lines = [head] + [",".join(repr(float(v)) for v in row) + ("," + repr(float(y[i])) if y is not None else "")
                      for i, row in enumerate(x)]
    return "\n".join(lines) + "\n"

def run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[:400]}")
    return r.stdout

def doe_rmse(doe, bounds, xlf, ylf, xhf, yhf, xt, yt, work):
    names = [b[0] for b in bounds]
    params = "".join(f"  - {{name: {n}, type: real, low: {lo}, high: {hi}}}\n" for n, lo, hi in bounds)
    base = "parameters:\n" + params + "objectives: [{name: y, direction: minimize}]\ninitial_trials: 1\n"
    open(os.path.join(work, "sim.yaml"), "w").write(base)
    open(os.path.join(work, "exp.yaml"), "w").write(base + "prior: {model: models/sim, outputs: {y: y}}\n")
    open(os.path.join(work, "gp.yaml"), "w").write(base + "prior: {study: sim, outputs: {y: y}}\n")
    open(os.path.join(work, "lf.csv"), "w").write(csv_rows(names, xlf, ylf))
    open(os.path.join(work, "hf.csv"), "w").write(csv_rows(names, xhf, yhf))
    open(os.path.join(work, "test.csv"), "w").write(csv_rows(names, xt))
    t0 = time.perf_counter()
    run([doe, "init", "sim", "--space", "sim.yaml", "--seed", "1"], work)
    run([doe, "observe", "sim", "--results", "lf.csv"], work)
    run([doe, "train", "--study", "sim", "--out", "models/sim", "--ensemble", "3"], work)
    t_train = time.perf_counter() - t0
    out = {}
    for study, space in (("exp", "exp.yaml"), ("gp", "gp.yaml"), ("plain", "sim.yaml")):
        run([doe, "init", study, "--space", space, "--seed", "2"], work)
        run([doe, "observe", study, "--results", "hf.csv"], work)
        t1 = time.perf_counter()
        text = run([doe, "predict", study, "--input", "test.csv"], work)
        elapsed = time.perf_counter() - t1
        pred = np.array([float(l.split(",")[len(names)]) for l in text.strip().split("\n")[1:]])
        out[study] = (float(np.sqrt(np.mean((pred - yt) ** 2))), elapsed)
    prior = {}
    for study in ("exp", "gp"):
        status = json.loads(run([doe, "status", study, "--json"], work))
        prior[study] = (status.get("models") or [{}])[0].get("prior") or {}
    return out, t_train, prior

def smt_rmse(xlf, ylf, xhf, yhf, xt, yt, bounds):
    from smt.applications.mfk import MFK
    from smt.surrogate_models import KRG
    lo = np.array([b[1] for b in bounds]); hi = np.array([b[2] for b in bounds])
    s = lambda x: (x - lo) / (hi - lo)   # SMT on the unit cube (its theta bounds assume scaled inputs)
    d = len(bounds)
    t0 = time.perf_counter()
    mfk = MFK(theta0=[1e-2] * d, print_global=False)
    mfk.set_training_values(s(xlf), ylf, name=0)
    mfk.set_training_values(s(xhf), yhf)
    mfk.train()
    p_mfk = mfk.predict_values(s(xt)).ravel()
    t_mfk = time.perf_counter() - t0
    krg = KRG(theta0=[1e-2] * d, print_global=False)
    krg.set_training_values(s(xhf), yhf)
    krg.train()
    p_krg = krg.predict_values(s(xt)).ravel()
    rm = lambda p: float(np.sqrt(np.mean((p - yt) ** 2)))
    return rm(p_mfk), t_mfk, rm(p_krg)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doe"); ap.add_argument("out")
    ap.add_argument("--seeds", default="0,1,2,3,4"); ap.add_argument("--large", type=int, default=2000)
    ap.add_argument("--problems", default="currin,park,borehole")
    ap.add_argument("--mfk-max", type=int, default=500, help="skip MFK above this many LF points (its fit is O(n^3) per "
                    "likelihood evaluation: 125 s at 200 borehole points here)")
    a = ap.parse_args()
    a.doe = os.path.abspath(a.doe)
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "mf-runs.jsonl"), "a")
    rows = {}
    for name in a.problems.split(","):
        bounds, hf, lf, n_lf, n_hf = PROBLEMS[name]
        for size in [n for n in (n_lf, a.large) if n > 0]:
            for seed in [int(s) for s in a.seeds.split(",")]:
                rng = np.random.default_rng(seed)
                xlf = lhs(size, bounds, rng)
                xhf = xlf[rng.choice(size, n_hf, replace=False)]
                xt = lhs(1000, bounds, np.random.default_rng(1000 + seed))
                ylf, yhf, yt = lf(xlf), hf(xhf), hf(xt)
                record = {"problem": name, "n_lf": size, "n_hf": n_hf, "seed": seed}
                try:
                    if size > a.mfk_max:
                        raise RuntimeError(f"not run: {size} LF points > --mfk-max {a.mfk_max}")
                    record["mfk"], record["mfk_seconds"], record["krg_hf"] = smt_rmse(xlf, ylf, xhf, yhf, xt, yt, bounds)
                except Exception as e:  # noqa: BLE001 - a failed peer is reported, not hidden
                    record["mfk_error"] = str(e)[:300]
                with tempfile.TemporaryDirectory() as work:
                    try:
                        out, t_train, prior = doe_rmse(a.doe, bounds, xlf, ylf, xhf, yhf, xt, yt, work)
                        record.update(doe=out["exp"][0], doe_study=out["gp"][0], doe_hf=out["plain"][0],
                                      doe_train_seconds=t_train, doe_predict_seconds=out["exp"][1],
                                      doe_study_predict_seconds=out["gp"][1],
                                      rho=prior["exp"].get("rho"), prior_used=prior["exp"].get("used"),
                                      rho_study=prior["gp"].get("rho"), prior_study_used=prior["gp"].get("used"))
                    except Exception as e:  # noqa: BLE001
                        record["doe_error"] = str(e)[:300]
                print(json.dumps(record), flush=True)
                log.write(json.dumps(record) + "\n"); log.flush()
                rows.setdefault((name, size, n_hf), []).append(record)
    def cell(runs, key):
        v = sorted(r[key] for r in runs if isinstance(r.get(key), float))
        if not v: return "–"
        return f"{np.median(v):.3g} [{v[0]:.3g}, {v[-1]:.3g}]"
    lines = ["| problem | LF / HF | SMT MFK | kriging HF only | doe, network prior | doe, study prior (GP of the LF runs) "
             "| doe GP HF only | prior used (network / study) |",
             "|---|---|---|---|---|---|---|---|"]
    for (name, size, n_hf), runs in rows.items():
        used = sum(1 for r in runs if r.get("prior_used"))
        used_study = sum(1 for r in runs if r.get("prior_study_used"))
        lines.append(f"| {name} | {size} / {n_hf} | {cell(runs, 'mfk')} | {cell(runs, 'krg_hf')} | {cell(runs, 'doe')} | "
                     f"{cell(runs, 'doe_study')} | {cell(runs, 'doe_hf')} | {used} / {used_study} of {len(runs)} |")
    table = "\n".join(lines)
    print(table)
    open(os.path.join(a.out, "mf-summary.md"), "w").write(
        f"Test RMSE (1000 points), median [min, max] over seeds {a.seeds}, {time.strftime('%Y-%m-%d')}\n\n{table}\n")

if __name__ == "__main__":
    main()
