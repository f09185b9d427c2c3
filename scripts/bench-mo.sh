#!/usr/bin/env bash
# make bench-mo: doe on the multi-objective and constrained problems of the shared harness
# (../shared/bench/mo/), next to the peers' stored runs, plus a same-sitting re-run of BoTorch and Optuna GP.
#
# 1. doe runs through the harness's `cli` method on the 8 public problems (q = 4, budget 40 for d <= 4 else 60,
#    seeds 0-4, one thread), driven through the space-file form of the harness (objectives, constraints,
#    reference point).
# 2. With PEERS=1 (the default when .venv-peers exists; make bench-bo creates it), BoTorch and Optuna GP re-run
#    seed 0 of three problems (PEER_PROBLEMS) in the same sitting, to show this machine agrees with the stored runs.
# 3. The ask timing: one q = 8 ask after 100 VehicleSafety observations for BoTorch, Optuna GP and doe.
# 4. mo_summarize.py merges the stored peer runs, the re-runs and doe's into Benchmarks/results/mo-summary.md.
# Variables: SEEDS (doe, default 0-4), PEERS=0|1, PEER_PROBLEMS, TIMING=0|1.
set -euo pipefail
cd "$(dirname "$0")/.."
DOE=$PWD/.build/release/doe
OUT=$PWD/Benchmarks/results
HARNESS=${HARNESS:-$PWD/../shared/bench/mo}
SEEDS=${SEEDS:-0-4}
PEER_PROBLEMS=${PEER_PROBLEMS:-BraninCurrin,ConstrainedBraninCurrin,PressureVessel}
mkdir -p "$OUT"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [ ! -f "$HARNESS/mo_peers.py" ]; then echo "no harness at $HARNESS"; exit 1; fi
PY=$(bash scripts/setup-peers-venv.sh "$HARNESS/../requirements-peers.txt")
q() { printf '%q' "$1"; }
STUDIES='s --dir {workdir}/studies'
CLI=(--cli-name doe
     --cli-init "$(q "$DOE") init $STUDIES --space {space_json} --seed {seed}"
     --cli-suggest "$(q "$DOE") suggest $STUDIES --batch {q} --json"
     --cli-observe "$(q "$DOE") observe $STUDIES --results {results_json}"
     --cli-import "$(q "$DOE") observe $STUDIES --results {prior_json}")
cd "$HARNESS"
"$PY" mo_peers.py --problems public --methods cli --seeds "$SEEDS" --budget auto --q 4 --threads 1 "${CLI[@]}" \
    --out "$OUT/mo-doe.json"
FILES=(results/parts/mo-public-2026-12-01-others.json results/parts/mo-public-2026-12-01-botorch.json)
if [ "${PEERS:-1}" = 1 ]; then
    "$PY" mo_peers.py --problems "$PEER_PROBLEMS" --methods botorch,optuna_gp --seeds 0 --budget auto --q 4 --threads 1 \
        --resume --out "$OUT/mo-peers-rerun.json"
fi
TIMING_ARGS=()
if [ "${TIMING:-1}" = 1 ]; then
    "$PY" mo_peers.py --ask-timing --methods botorch,optuna_gp,cli --timing-problem VehicleSafety --timing-prior 100 \
        --timing-q 8 --timing-reps 3 --threads 1 "${CLI[@]}" --out "$OUT/mo-timing.json"
    TIMING_ARGS=(--timing "$OUT/mo-timing.json")
fi
"$PY" mo_summarize.py "${FILES[@]}" "$OUT/mo-doe.json" "${TIMING_ARGS[@]}" --md "$OUT/mo-summary.md"
if [ -f "$OUT/mo-peers-rerun.json" ]; then
    "$PY" mo_summarize.py "$OUT/mo-peers-rerun.json" "$OUT/mo-doe.json" --seeds 0 --problems "$PEER_PROBLEMS" \
        --md "$OUT/mo-rerun-summary.md"
fi
echo "tables: $OUT/mo-summary.md (stored peer runs + doe), $OUT/mo-rerun-summary.md (same-sitting re-runs, seed 0)"
