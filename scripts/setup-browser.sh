#!/usr/bin/env bash
# Headless Chromium from Debian's packages (chromium-headless-shell) for the report tests in `make test`.
# As root it installs the package when missing; otherwise it prints the apt command. Prints the browser's path.
set -euo pipefail
for candidate in chromium-headless-shell chromium; do
    if command -v "$candidate" >/dev/null 2>&1; then
        command -v "$candidate"
        exit 0
    fi
done
if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq chromium-headless-shell fonts-liberation >&2   # fonts: SVG labels must render
    command -v chromium-headless-shell
else
    echo "the report tests need headless Chromium: sudo apt-get install -y chromium-headless-shell" >&2
    exit 1
fi
