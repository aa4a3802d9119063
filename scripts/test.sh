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
# The live scenarios again under npm 12 on Node 24 (tests/clients). npm 12 refuses the lockfile
# scenario's tarball on another host with EALLOWREMOTE before any request (not an auth failure;
# tests/clients_detect.rs checks that regauth says so), so that one scenario is npm 11's only.
# The trusted-publishing runs (tests/oidc_npm.rs) too; its npm 10 case pins npm 10 itself.
if [ $# -eq 0 ]; then
  TEST_NPM_DIR=tests/clients/bin/npm12 cargo test --locked --test live_verdaccio --test oidc_npm \
    --no-fail-fast -- --skip lockfile_resolved_on_a_host_without_credential \
    --skip npm_10_never_attempts_the_exchange 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
set -e
if [ "$status" -eq 0 ]; then
  # The benchmarks are measurements, not tests (bench/README.md): build them so they cannot
  # rot, but leave running them to `cargo bench` / bench/*.sh.
  cargo test --locked --benches --no-run || status=$?
fi

bash scripts/test-summary.sh <"$log"
exit "$status"
