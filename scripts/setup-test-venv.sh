#!/usr/bin/env bash
# A venv with onnx and onnxruntime for the ONNX tests in `make test` (PyPI). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
if ! "$VENV/bin/python" -c "import onnx, onnxruntime, numpy" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check onnx==1.23.2 onnxruntime==1.32.0 numpy >&2
fi
echo "$PWD/$VENV/bin/python"
