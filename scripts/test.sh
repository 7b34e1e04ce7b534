#!/usr/bin/env bash
# The whole test suite: a throwaway PostgreSQL (see postgres.sh), then `swift test`.
# Extra arguments go to `swift test` (e.g. --filter PostgresCheckerTests).
#
# Without arguments it runs in three passes, so that CPU-heavy suites cannot push the deadline
# assertions of the others past their bounds on a 2-core machine: first the heavy suites without
# tight time bounds (headless Chromium takes both cores as it starts, the resource test spawns a
# thousand plugins, fuzzing and the 10,000-file load keep a core busy); then the fault matrix
# alone (a hundred misbehaving servers at once, with its own time bounds); then everything else.
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
    swift test --filter FaultMatrixTests
    swift test --skip "$heavy|FaultMatrixTests"
fi
