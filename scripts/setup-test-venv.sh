#!/usr/bin/env bash
# A venv with onnx and onnxruntime for the ONNX tests in `make test` (PyPI). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
if ! "$VENV/bin/python" -c "import onnx, onnxruntime, numpy" 2>/dev/null; then
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" >&2; then
        # Debian's system python needs python3-venv for ensurepip
        if [ "$(id -u)" -eq 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
            python3 -m venv "$VENV" >&2
        else
            echo "python3 -m venv failed; install python3-venv (sudo apt-get install -y python3-venv)" >&2
            exit 1
        fi
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check onnx==1.23.2 onnxruntime==1.32.0 numpy >&2
fi
echo "$PWD/$VENV/bin/python"
