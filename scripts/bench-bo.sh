#!/usr/bin/env bash
# make bench-bo: doe's batch Bayesian-optimization benchmark, and the peers in the same sitting.
#
# 1. Benchmarks/bo/bench_bo.py runs doe through its CLI on the 7 problems (self-contained: python3 + doe).
# 2. When the shared peer harness is present (../shared/bench/peers.py; PEERS=0 skips it), a venv
#    .venv-peers gets torch (CPU) + BoTorch, Optuna, scikit-optimize, and the harness runs the peers and doe
#    (as its `cli` method) on the same protocol, then times one q=8 ask after 200 Hartmann6 observations
#    for BoTorch, Optuna GPSampler, scikit-optimize and doe. The side-by-side table goes to
#    Benchmarks/results/bo-summary.md.
# Variables: SEEDS (doe, default 0-4), PEER_SEEDS (default 0-2), PEER_METHODS, PEERS=0|1.
set -euo pipefail
cd "$(dirname "$0")/.."
DOE=$PWD/.build/release/doe
OUT=$PWD/Benchmarks/results
mkdir -p "$OUT"
SEEDS=${SEEDS:-0-4}
PEER_SEEDS=${PEER_SEEDS:-0-2}
PEER_METHODS=${PEER_METHODS:-random,sobol,optuna_tpe,optuna_gp,skopt_gp,botorch_qlognei}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

python3 Benchmarks/bo/bench_bo.py --doe "$DOE" --seeds "$SEEDS" --out "$OUT/bo-doe.json"

HARNESS=${HARNESS:-$PWD/../shared/bench}
if [ "${PEERS:-1}" = 0 ] || [ ! -f "$HARNESS/peers.py" ]; then
    echo "peer harness not found (or PEERS=0): doe-only results in $OUT/bo-doe.json"
    exit 0
fi
PY=$(bash scripts/setup-peers-venv.sh "$HARNESS/requirements-peers.txt")
q() { printf '%q' "$1"; }
STUDY_ARGS='"$(basename {study})" --dir "$(dirname {study})"'
CLI=(--cli-name doe
     --cli-init "$(q "$DOE") init $STUDY_ARGS --space {space_json} --seed {seed}"
     --cli-suggest "$(q "$DOE") suggest $STUDY_ARGS --batch {q} --json"
     --cli-observe "$(q "$DOE") observe $STUDY_ARGS --results {results_json}"
     --cli-import "$(q "$DOE") observe $STUDY_ARGS --results {prior_json}")
cd "$HARNESS"
"$PY" peers.py --problems all --methods "$PEER_METHODS" --seeds "$PEER_SEEDS" --budget auto --q 4 --threads 1 \
    --out "$OUT/bo-peers.json"
"$PY" peers.py --problems all --methods cli --seeds "$SEEDS" --budget auto --q 4 --threads 1 "${CLI[@]}" \
    --out "$OUT/bo-doe-harness.json"
"$PY" peers.py --ask-timing --methods botorch_qlognei,optuna_gp,skopt_gp,cli --timing-reps 3 --threads 1 "${CLI[@]}" \
    --out "$OUT/bo-timing.json"
"$PY" summarize.py "$OUT/bo-peers.json" "$OUT/bo-doe-harness.json" --timing "$OUT/bo-timing.json" --md "$OUT/bo-summary.md"
echo "side-by-side table: $OUT/bo-summary.md"
