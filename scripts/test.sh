#!/usr/bin/env bash
# The whole test suite: a throwaway PostgreSQL (see postgres.sh), then `swift test`.
# Extra arguments go to `swift test` (e.g. --filter PostgresCheckerTests).
#
# Without arguments it runs in four passes, so that load from one suite cannot push the deadline
# assertions of another past their bounds on a 2-core machine: first the heavy suites one at a
# time (headless Chromium takes both cores as it starts, the resource test spawns a thousand
# plugins, fuzzing and the 10,000-file load keep a core busy, the hardening probes open hundreds
# of sockets and time /healthz); then the fault matrix alone (a
# hundred misbehaving servers at once, with its own time bounds); then, one test at a time, the
# suites that assert wall-clock bounds of a few hundred milliseconds (deadlines, cancellation,
# plugins that ignore SIGTERM); then everything else in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
trap stop_postgres EXIT
start_postgres
if (($#)); then
    swift test "$@"
else
    heavy='HTMLReporterTests|StatusPageBrowserTests|ResourceTests|FuzzTests|LoaderScaleTests|ServeHardeningTests'
    swift test --no-parallel --filter "$heavy"
    swift test --filter FaultMatrixTests
    timed='EngineTests|EventLoopExecutorTests|DeadlineTimerTests|PluginTests|PostgresCheckerTests|HTTPCheckerTests|HTTPTLSTests|CompletionCheckerTests|CLITests|ServeCommandTests'
    swift test --no-parallel --filter "$timed"
    swift test --skip "$heavy|FaultMatrixTests|$timed"
fi
