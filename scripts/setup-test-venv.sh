#!/usr/bin/env bash
# A venv for the tests in `make test` that need Python (PyPI): onnx and onnxruntime for the ONNX tests; nbformat,
# nbconvert, ipykernel, pandas and matplotlib to validate and execute report notebooks; websocket-client and pillow
# to drive headless Chromium and check its screenshots; h5py to write dumps as users do. Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
PACKAGES="onnx==1.23.2 onnxruntime==1.32.0 numpy nbformat==5.11.1 nbconvert==7.17.2 ipykernel==7.4.0 pandas==3.1.1 matplotlib==3.11.2 websocket-client==1.9.2 pillow==13.0.0 h5py==3.16.0"
if [ ! -x "$VENV/bin/jupyter" ] || ! "$VENV/bin/python" -c "import onnx, onnxruntime, numpy, nbformat, nbconvert, ipykernel, pandas, matplotlib, websocket, PIL, h5py" 2>/dev/null; then
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
    "$VENV/bin/pip" install -q --disable-pip-version-check $PACKAGES >&2
fi
echo "$PWD/$VENV/bin/python"
