#!/usr/bin/env bash
# The model pipeline the CI examples in docs/ci run: quick train → evaluate → register → gate → promote when the gate
# passes → export the production model to ONNX. Usage:
#   scripts/model-pipeline.sh [DOE] [WORKDIR]      (default: .build/release/doe, ./pipeline)
# Environment:
#   REGISTRY            the registry kept between runs (default: WORKDIR/registry). CI restores it from the previous
#                       run; when it is missing the pipeline stops with exit 2 unless BOOTSTRAP_REGISTRY=1 says that
#                       this run starts the registry (set it for the very first run only).
#   MIN_R2, MAX_TIP_RMSE absolute limits every model must meet, the first one included (default 0.99 and 0.06 mm)
#   MAX_REGRESSION      largest relative RMSE regression against production (default 5%)
#   MAX_R2_DROP         largest absolute drop of R² against production (default 0.005)
#   EPOCHS, HIDDEN, SEED training settings (default 150, 32,32, 1)
# Exit status: 0 promoted (or production already holds this model), 1 the gate failed, 2 the gate or the pipeline
# could not run (missing registry, broken configuration).
set -uo pipefail
DOE=${1:-.build/release/doe}
WORK=${2:-pipeline}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUMP="$ROOT/studies/surrogates/plate.h5"
REGISTRY=${REGISTRY:-$WORK/registry}
mkdir -p "$WORK"
RUN=$(date +%Y%m%d%H%M%S)-$$
MODEL="$WORK/models/plate-$RUN"
fail() { echo "error: $2" >&2; exit "$1"; }

if [ ! -f "$REGISTRY/journal.jsonl" ]; then
    if [ "${BOOTSTRAP_REGISTRY:-}" = 1 ]; then
        echo "== bootstrap: creating the registry $REGISTRY (BOOTSTRAP_REGISTRY=1)"
        "$DOE" registry init --registry "$REGISTRY" || exit 2
    else
        fail 2 "no registry at $REGISTRY: the previous run's registry was not restored. Without it nothing can be gated; \
set BOOTSTRAP_REGISTRY=1 for the first run only"
    fi
fi

echo "== train"
"$DOE" train "$DUMP" --fields /fields/uy --hidden "${HIDDEN:-32,32}" --epochs "${EPOCHS:-150}" --batch-size 32 \
    --seed "${SEED:-1}" --out "$MODEL" || exit 2
echo "== evaluate"
"$DOE" evaluate "$MODEL" "$DUMP" --fields /fields/uy || exit 2
echo "== register"
ADDED=$("$DOE" registry add "$MODEL" --name plate --registry "$REGISTRY" --json) || exit 2
VERSION=$(printf '%s' "$ADDED" | grep -o '"version":[0-9]*' | head -1 | tr -dc '0-9')
[ -n "$VERSION" ] || fail 2 "could not read the registered version from: $ADDED"
case "$ADDED" in *'"existed":true'*) echo "plate@$VERSION already holds this model";; *) echo "registered plate@$VERSION";; esac

LIMITS=(--min "r2=${MIN_R2:-0.99}" --max "tip_deflection.rmse=${MAX_TIP_RMSE:-0.06}")
PRODUCTION=$("$DOE" registry show plate@production --registry "$REGISTRY" 2>/dev/null | grep -m1 '"version"' | tr -dc '0-9')
if [ -n "$PRODUCTION" ]; then
    echo "== gate plate@$VERSION against plate@production (version $PRODUCTION) and the absolute limits"
    "$DOE" gate "plate@$VERSION" --baseline plate@production --registry "$REGISTRY" \
        --max-regression "rmse=${MAX_REGRESSION:-5%}" --absolute --max-regression "r2=${MAX_R2_DROP:-0.005}" \
        "${LIMITS[@]}" --report-dir "$WORK/gate-report"
else
    echo "== first model: gate plate@$VERSION on the absolute limits"
    "$DOE" gate "plate@$VERSION" --registry "$REGISTRY" "${LIMITS[@]}" --report-dir "$WORK/gate-report"
fi
GATE=$?
case $GATE in
    0) ;;
    1) echo "gate failed: plate@production stays where it is (report: $WORK/gate-report/junit.xml)"; exit 1 ;;
    *) echo "the gate could not be evaluated (exit $GATE): fix the configuration (report: $WORK/gate-report/)"; exit 2 ;;
esac
if [ "$PRODUCTION" = "$VERSION" ]; then
    echo "== plate@production is already version $VERSION"
else
    echo "== promote plate@$VERSION to production"
    "$DOE" registry promote "plate@$VERSION" --alias production --registry "$REGISTRY" --reason "passed the gate in run $RUN" \
        || exit 2
fi
echo "== export production to ONNX"
"$DOE" registry export plate@production --onnx "$WORK/plate-production.onnx" --registry "$REGISTRY" || exit 2
"$DOE" registry verify --registry "$REGISTRY" || exit 2
