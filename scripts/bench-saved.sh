#!/usr/bin/env bash
# make bench-saved: experiments saved by a simulation prior -- BO on Currin, Park and Borehole with the network trained
# on 2000 low-fidelity runs as the prior, without it, and with a biased low-fidelity model; one sitting. SEEDS (default
# 0,1,2,3,4). numpy and scipy come from the peers' venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/setup-peers-venv.sh ../shared/bench/requirements-peers.txt)
mkdir -p Benchmarks/results
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" Benchmarks/mf/bench_saved.py .build/release/doe Benchmarks/results \
    --seeds "${SEEDS:-0,1,2,3,4}"
