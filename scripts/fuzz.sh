#!/usr/bin/env bash
# Runs the fuzz suites with more cases: bash scripts/fuzz.sh [ITERATIONS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export HEALTHRUN_FUZZ_ITERATIONS=${1:-20000}
export HEALTHRUN_FUZZ_SEED=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "fuzz: $HEALTHRUN_FUZZ_ITERATIONS cases, seed $HEALTHRUN_FUZZ_SEED"
swift test --filter 'FuzzTests'
