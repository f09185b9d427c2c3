#!/usr/bin/env bash
# make bench-train: doe's MLP training throughput vs PyTorch (CPU), same data, architecture, batch, epochs, threads.
# Installs torch (CPU wheel when the machine's pip find-links has it) and h5py into .venv-peers.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product doe-bench-train
VENV=$PWD/.venv-peers
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import torch, h5py" 2>/dev/null || {
    "$VENV/bin/pip" install -q torch==2.13.0+cpu 2>/dev/null || "$VENV/bin/pip" install -q torch
    "$VENV/bin/pip" install -q h5py numpy
}
"$VENV/bin/python" Benchmarks/train/bench_train.py --doe-bench "$PWD/.build/release/doe-bench-train" \
    --out Benchmarks/results/train-summary.md "$@"
