#!/usr/bin/env bash
# make bench-mf: doe's simulation prior (a network trained on low-fidelity runs as the GP's prior mean) against SMT's
# MFK and kriging on the high-fidelity points alone; same points, one sitting. SEEDS (default 0,1,2,3,4), LARGE (the
# many-LF size, default 2000), MFK_MAX (skip MFK above this many LF points, default 500).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/setup-peers-venv.sh ../shared/bench/requirements-peers.txt)
"$PY" -c "import smt" 2>/dev/null || "$(dirname "$PY")/pip" install -q smt==2.15.0 >&2
mkdir -p Benchmarks/results
rm -f Benchmarks/results/mf-runs.jsonl
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" Benchmarks/mf/bench_mf.py .build/release/doe Benchmarks/results \
    --seeds "${SEEDS:-0,1,2,3,4}" --large "${LARGE:-2000}" --mfk-max "${MFK_MAX:-500}"
