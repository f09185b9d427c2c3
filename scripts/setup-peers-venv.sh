#!/usr/bin/env bash
# The venv of the benchmarks' peers (.venv-peers): torch (the CPU wheel when the machine's pip find-links has it),
# then the shared harness's requirements (BoTorch, Optuna, scikit-optimize, ...). Prints the venv's python.
# Usage: scripts/setup-peers-venv.sh REQUIREMENTS_FILE
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=$PWD/.venv-peers
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q torch==2.13.0+cpu >&2 2>/dev/null || "$VENV/bin/pip" install -q torch >&2
    "$VENV/bin/pip" install -q -r "$1" >&2
fi
echo "$VENV/bin/python"
