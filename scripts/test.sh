#!/usr/bin/env bash
# The test command: every test, against the real npm and a real Verdaccio on 127.0.0.1.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh -- spinner` filters by name).
# Ends with one line, `N passed, M failed`, summed over every test binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --lib --bins --tests --no-fail-fast "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 0 ]; then
  # The benchmarks are measurements, not tests (bench/README.md): build them so they cannot
  # rot, but leave running them to `cargo bench` / bench/*.sh.
  cargo test --locked --benches --no-run || status=$?
fi

bash scripts/test-summary.sh <"$log"
exit "$status"
