#!/usr/bin/env python3
"""bench_train.py -- training throughput of doe vs PyTorch on the CPU, same data, architecture, batch, epochs, threads.

Cases (ReLU MLPs, MSE, Adam, plain minibatches over pre-cut batches):
  small: 8 -> 128 -> 128 -> 3,        batch 256,  100 000 rows
  wide:  8 -> 512 -> 512 -> 512 -> 200, batch 1024, 20 480 rows
Both frameworks run at 1 and 2 threads (torch.set_num_threads / openblas_set_num_threads). Reported: samples/s,
the ratio doe/PyTorch, GFLOP/s (6 x sum(fan_in x fan_out) per sample) and the share of the sgemm peak that doe's
benchmark binary measures with the same thread count, and the test MSE after the same number of epochs.

  python bench_train.py --doe-bench .build/release/doe-bench-train --out Benchmarks/results/train-summary.md
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import torch

CASES = {
    "small": dict(hidden=[128, 128], outputs=3, batch=256, rows=100_000, epochs=3),
    "wide": dict(hidden=[512, 512, 512], outputs=200, batch=1024, rows=20_480, epochs=2),
}


def make_data(path, rows, outputs, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(rows, 8))
    freq = np.linspace(0.5, 3.0, outputs)
    y = np.sin(x[:, :1] * freq[None, :] + x[:, 1:2]) + 0.5 * x[:, 2:3] * x[:, 3:4] + 0.1 * x[:, 4:5] ** 2
    with h5py.File(path, "w") as h:
        h.create_dataset("inputs", data=x.astype(np.float32))
        h.create_dataset("outputs", data=y.astype(np.float32))


def torch_run(train, test, case, threads, seed=1):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    with h5py.File(train) as h:
        x, y = torch.tensor(h["inputs"][:]), torch.tensor(h["outputs"][:])
    widths = [8] + case["hidden"] + [case["outputs"]]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    b = case["batch"]
    batches = [(x[i:i + b], y[i:i + b]) for i in range(0, len(x) - b + 1, b)]
    def step(bx, by):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(bx), by)
        loss.backward()
        opt.step()
    step(*batches[0])
    t0 = time.perf_counter()
    for _ in range(case["epochs"]):
        for bx, by in batches:
            step(bx, by)
    seconds = time.perf_counter() - t0
    samples = case["epochs"] * len(batches) * b
    flops = 6 * sum(a * c for a, c in zip(widths, widths[1:]))
    with h5py.File(test) as h:
        tx, ty = torch.tensor(h["inputs"][:]), torch.tensor(h["outputs"][:])
    with torch.no_grad():
        mse = float(((net(tx) - ty) ** 2).mean())
    return {"framework": "pytorch", "threads": threads, "samples_per_s": samples / seconds,
            "gflops": samples * flops / seconds / 1e9, "test_mse": mse, "seconds": seconds}


def doe_run(binary, train, test, case, threads, seed=1):
    out = subprocess.run([binary, train, "--hidden", ",".join(map(str, case["hidden"])), "--batch", str(case["batch"]),
                          "--epochs", str(case["epochs"]), "--threads", str(threads), "--test", test, "--peak",
                          "--seed", str(seed)],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": str(threads)}).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doe-bench", default=".build/release/doe-bench-train")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--cases", default="small,wide")
    ap.add_argument("--out", default="Benchmarks/results/train-summary.md")
    ap.add_argument("--accuracy-seeds", type=int, default=5, help="seeds for the test-MSE spread (1 thread)")
    args = ap.parse_args()
    rows = []
    acc = ["", "| case | seeds | test MSE PyTorch mean ± sd | test MSE doe mean ± sd |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            case = CASES[name]
            train, test = os.path.join(tmp, f"{name}-train.h5"), os.path.join(tmp, f"{name}-test.h5")
            make_data(train, case["rows"], case["outputs"], 1)
            make_data(test, 10_000, case["outputs"], 2)
            # accuracy: test MSE over several initialization seeds, same budget, one thread
            t_mse = [torch_run(train, test, case, 1, seed)["test_mse"] for seed in range(1, args.accuracy_seeds + 1)]
            d_mse = [doe_run(args.doe_bench, train, test, case, 1, seed)["test_mse"] for seed in range(1, args.accuracy_seeds + 1)]
            acc.append(f"| {name} | {args.accuracy_seeds} | {np.mean(t_mse):.4g} ± {np.std(t_mse, ddof=1):.2g} | "
                       f"{np.mean(d_mse):.4g} ± {np.std(d_mse, ddof=1):.2g} |")
            print(acc[-1], flush=True)
            for threads in map(int, args.threads.split(",")):
                t = torch_run(train, test, case, threads)
                d = doe_run(args.doe_bench, train, test, case, threads)
                rows.append((name, threads, t, d))
                print(f"{name:5s} {threads}T  pytorch {t['samples_per_s']:9.0f} samples/s  doe {d['samples_per_s']:9.0f} samples/s "
                      f"({d['samples_per_s'] / t['samples_per_s']:.2f}x)  doe {d['gflops']:.1f} GFLOP/s of sgemm peak "
                      f"{d['sgemm_peak_gflops']:.1f}  test MSE pytorch {t['test_mse']:.4g} doe {d['test_mse']:.4g}", flush=True)
    lines = ["| case | threads | PyTorch samples/s | doe samples/s | doe / PyTorch | PyTorch GFLOP/s | doe GFLOP/s | sgemm peak GFLOP/s | doe % of peak | test MSE PyTorch | test MSE doe |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, threads, t, d in rows:
        lines.append(f"| {name} | {threads} | {t['samples_per_s']:.0f} | {d['samples_per_s']:.0f} | {d['samples_per_s'] / t['samples_per_s']:.2f}x | "
                     f"{t['gflops']:.1f} | {d['gflops']:.1f} | {d['sgemm_peak_gflops']:.1f} | {100 * d['gflops'] / d['sgemm_peak_gflops']:.0f} % | "
                     f"{t['test_mse']:.4g} | {d['test_mse']:.4g} |")
    text = f"torch {torch.__version__}\n\n" + "\n".join(lines + acc) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
