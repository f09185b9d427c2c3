#!/usr/bin/env bash
# A venv with MLflow (PyPI) for the MLflow tests in `make test`: prints its bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-mlflow
# onnxruntime and pandas: MLflow's pyfunc loads and runs the models doe pushes (the same pins as .venv-test)
if ! "$VENV/bin/python" -c "import mlflow, onnx, onnxruntime, pandas" 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "mlflow>=3,<4" onnx==1.23.2 onnxruntime==1.32.0 >&2
fi
echo "$PWD/$VENV/bin"
