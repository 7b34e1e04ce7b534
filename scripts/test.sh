#!/usr/bin/env bash
# The whole test suite: a throwaway PostgreSQL (see postgres.sh), then `swift test`.
# Extra arguments go to `swift test` (e.g. --filter PostgresCheckerTests).
#
# Without arguments it runs in two passes: first the CPU-heavy suites alone (headless Chromium
# takes both cores for a second as it starts; the resource test spawns a thousand plugins; the
# fuzz and scale suites keep a core busy for seconds),
# which would push the deadline assertions of the other suites past their bounds; then
# everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
trap stop_postgres EXIT
start_postgres
if (($#)); then
    swift test "$@"
else
    heavy='HTMLReporterTests|ResourceTests|FuzzTests|LoaderScaleTests'
    swift test --filter "$heavy"
    swift test --skip "$heavy"
fi
