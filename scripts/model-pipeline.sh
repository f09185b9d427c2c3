#!/usr/bin/env bash
# The model pipeline the CI examples in docs/ci run: quick train → evaluate → register → gate against production
# → promote when the gate passes → export the production model to ONNX. Usage:
#   scripts/model-pipeline.sh [DOE] [WORKDIR]      (default: .build/release/doe, ./pipeline)
# Environment: EPOCHS (default 150), HIDDEN (default 32,32), REGISTRY (default WORKDIR/registry).
set -euo pipefail
DOE=${1:-.build/release/doe}
WORK=${2:-pipeline}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUMP="$ROOT/studies/surrogates/plate.h5"
REGISTRY=${REGISTRY:-$WORK/registry}
mkdir -p "$WORK"
RUN=$(date +%Y%m%d%H%M%S)-$$
MODEL="$WORK/models/plate-$RUN"

echo "== train"
"$DOE" train "$DUMP" --fields /fields/uy --hidden "${HIDDEN:-32,32}" --epochs "${EPOCHS:-150}" --batch-size 32 --out "$MODEL"
echo "== evaluate"
"$DOE" evaluate "$MODEL" "$DUMP" --fields /fields/uy
echo "== register"
VERSION=$("$DOE" registry add "$MODEL" --name plate --registry "$REGISTRY" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null \
          || "$DOE" registry show plate --registry "$REGISTRY" | grep -m1 '"version"' | tr -dc '0-9')
echo "registered plate@$VERSION"
if "$DOE" registry show plate@production --registry "$REGISTRY" >/dev/null 2>&1; then
    echo "== gate plate@$VERSION against plate@production"
    if "$DOE" gate "plate@$VERSION" --baseline plate@production --registry "$REGISTRY" \
        --metric rmse --max-regression 5% --metric r2 --max-regression 0.005 --report-dir "$WORK/gate-report"; then
        "$DOE" registry promote "plate@$VERSION" --alias production --registry "$REGISTRY" --reason "passed the gate in run $RUN"
    else
        echo "gate failed: plate@production stays where it is (report: $WORK/gate-report/junit.xml)"
        exit 1
    fi
else
    echo "== first model: promote plate@$VERSION to production"
    "$DOE" registry promote "plate@$VERSION" --alias production --registry "$REGISTRY" --reason "first model"
fi
echo "== export production to ONNX"
"$DOE" registry export plate@production --onnx "$WORK/plate-production.onnx" --registry "$REGISTRY"
"$DOE" registry verify --registry "$REGISTRY"
