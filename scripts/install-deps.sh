#!/usr/bin/env bash
# Makes sure the C libraries doe links are installed (Debian/Ubuntu).
# As root it installs what is missing with apt-get; otherwise it prints the exact command and stops.
# With --test it also installs what `make test` needs (python3-venv, headless Chromium and its fonts), so a CI job can
# run this one step as root and everything else, `make test` included, as a normal user.
set -euo pipefail
PACKAGES=(pkg-config libopenblas-dev liblapacke-dev libnlopt-dev libhdf5-dev)
if [ "${1:-}" = "--test" ]; then PACKAGES+=(python3-venv chromium-headless-shell fonts-liberation); fi
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "installed: ${missing[*]}"
else
    echo "doe needs these Debian packages: ${missing[*]}" >&2
    echo "install them with:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
