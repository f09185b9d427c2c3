#!/usr/bin/env bash
# make bench-noisy: the noisy single-objective problems, doe and the peers in one sitting.
#
# The shared harness (../shared/bench/peers.py, through Benchmarks/bo/peers_extra.py, which adds doe's own noisy
# variant levy8_noisy = Levy-8 + N(0, 1)) runs BoTorch qLogNEI, Optuna GPSampler, doe's default (which picks its
# acquisition from the fitted noise) and doe with --acquisition qlognei on hartmann6_noisy and levy8_noisy, the
# same seeds for all, q = 4, one thread each. The table goes to Benchmarks/results/noisy-summary.md.
# Variables: SEEDS (default 0-9), PEER_METHODS (default botorch_qlognei,optuna_gp), PROBLEMS, PEERS=0 (keep the
# peers' results already in Benchmarks/results/noisy-peers.json and run doe only).
set -euo pipefail
cd "$(dirname "$0")/.."
DOE=${DOE:-$PWD/.build/release/doe}
OUT=$PWD/Benchmarks/results
mkdir -p "$OUT"
SEEDS=${SEEDS:-0-9}
PROBLEMS=${PROBLEMS:-hartmann6_noisy,levy8_noisy}
PEER_METHODS=${PEER_METHODS:-botorch_qlognei,optuna_gp}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
HARNESS=${HARNESS:-$PWD/../shared/bench}
[ -f "$HARNESS/peers.py" ] || { echo "bench-noisy needs the shared peer harness at $HARNESS" >&2; exit 1; }
PY=$(bash scripts/setup-peers-venv.sh "$HARNESS/requirements-peers.txt")
EXTRA=$PWD/Benchmarks/bo/peers_extra.py
q() { printf '%q' "$1"; }
STUDY_ARGS='"$(basename {study})" --dir "$(dirname {study})"'
cli() {  # cli NAME [extra suggest flags]: the harness's cli-method arguments in the array CLI
    CLI=(--cli-name "$1"
         --cli-init "$(q "$DOE") init $STUDY_ARGS --space {space_json} --seed {seed}"
         --cli-suggest "$(q "$DOE") suggest $STUDY_ARGS --batch {q} --json ${2:-}"
         --cli-observe "$(q "$DOE") observe $STUDY_ARGS --results {results_json}"
         --cli-import "$(q "$DOE") observe $STUDY_ARGS --results {prior_json}")
}
cd "$HARNESS"
run() { "$PY" "$EXTRA" --harness "$HARNESS" --problems "$PROBLEMS" --seeds "$SEEDS" --budget auto --q 4 --threads 1 "$@"; }
if [ "${PEERS:-1}" != 0 ]; then run --methods "$PEER_METHODS" --out "$OUT/noisy-peers.json"; fi
cli doe
run --methods cli "${CLI[@]}" --out "$OUT/noisy-doe.json"
cli doe_qlognei "--acquisition qlognei"
run --methods cli "${CLI[@]}" --out "$OUT/noisy-doe-qlognei.json"
"$PY" summarize.py "$OUT/noisy-peers.json" "$OUT/noisy-doe.json" "$OUT/noisy-doe-qlognei.json" --md "$OUT/noisy-summary.md"
echo "side-by-side table: $OUT/noisy-summary.md"
