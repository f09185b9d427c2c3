#!/usr/bin/env bash
# Regenerates the committed example report of the recorded borehole study (notebooks-exports/borehole.{html,ipynb})
# and the README's screenshot of it (docs/report-borehole.png, headless Chromium from Debian's packages).
set -euo pipefail
cd "$(dirname "$0")/.."
DOE=${1:-.build/release/doe}
"$DOE" report borehole --dir studies --out notebooks-exports
CHROMIUM=$(bash scripts/setup-browser.sh)
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --window-size=1100,1850 \
    --screenshot="$PWD/docs/report-borehole.png" "file://$PWD/notebooks-exports/borehole.html" 2>/dev/null
echo "wrote docs/report-borehole.png"
