#!/usr/bin/env bash
# Runs the fuzz targets of tests/config_fuzz.rs (the .npmrc parser and config load, npm's argv
# parser, the failure/debug-log parser, the streaming lockfile scanner) for N minutes (default 5),
# optimised, with a fresh random seed per round and many cases per round; then the linear-time and
# bounded-memory checks of tests/config_linear.rs once. Stops at the first failure (proptest
# prints the minimal input and saves it in tests/config_fuzz.proptest-regressions).
#   bash scripts/fuzz.sh 30          # half an hour
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
end=$(( $(date +%s) + minutes * 60 ))
cases=${FUZZ_CASES:-2000}
cargo test --release --test config_fuzz --no-run
round=0
while [ "$(date +%s)" -lt "$end" ]; do
  round=$((round + 1))
  echo "fuzz: round $round ($cases cases per target)"
  PROPTEST_CASES=$cases cargo test --release --quiet --test config_fuzz
done
cargo test --release --quiet --test config_linear
echo "fuzz: $round rounds of $cases cases per target, no failure"
