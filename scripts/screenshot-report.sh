#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a screenshot, for a person to look at.
#   bash scripts/screenshot-report.sh [REPORT.html] [OUT.png] [WIDTH]
# Without a report, runs `healthrun demo --report html` first. WIDTH 390 shows the phone layout.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-}
out=${2:-healthrun-report.png}
width=${3:-1200}
if [[ -z $report ]]; then
    report=$(mktemp -d)/healthrun-report.html
    swift run -q healthrun demo -q --report "html:$report" || true
fi
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,1000" \
    --screenshot="$out" "file://$(realpath "$report")" 2>/dev/null
echo "screenshot: $out"
