#!/usr/bin/env bash
# The whole test suite: a throwaway PostgreSQL (see postgres.sh), then `swift test`.
# Extra arguments go to `swift test` (e.g. --filter PostgresCheckerTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
trap stop_postgres EXIT
start_postgres
swift test "$@"
