#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a screenshot, for a person to look at.
#   bash scripts/screenshot-report.sh [REPORT.html|URL] [OUT.png] [WIDTH]
# Without a report, runs `healthrun demo --report html` first. WIDTH 390 shows the phone layout.
# A URL shows a live page: bash scripts/screenshot-report.sh http://127.0.0.1:9090/ serve.png
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-}
out=${2:-healthrun-report.png}
width=${3:-1200}
if [[ -z $report ]]; then
    report=$(mktemp -d)/healthrun-report.html
    swift run -q healthrun demo -q --report "html:$report" || true
fi
[[ $report == http://* || $report == https://* ]] && target=$report || target="file://$(realpath "$report")"
# --timeout, not --virtual-time-budget: a live page's event stream never lets the network go idle.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,1000" --timeout=3000 \
    --screenshot="$out" "$target" 2>/dev/null
echo "screenshot: $out"
